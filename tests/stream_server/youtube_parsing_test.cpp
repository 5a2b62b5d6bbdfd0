// The pure YouTube pieces: the WebSub Atom feed, videos.list / liveBroadcasts.list answers, Google's error
// reason, the live chat page and its mapping to audience events, Super Chat amounts, the backlog cut and
// the poll cadence.
#include <gtest/gtest.h>

#include "stream/service/youtube_chat.hpp"
#include "stream/service/youtube_feed.hpp"
#include "stream/service/youtube_video.hpp"

namespace onair::stream {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFeed = R"(<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
 <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
 <link rel="self" href="https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"/>
 <title>YouTube video feed</title>
 <updated>2026-11-23T10:00:00.123456789+00:00</updated>
 <entry>
  <id>yt:video:dQw4w9WgXcQ</id>
  <yt:videoId>dQw4w9WgXcQ</yt:videoId>
  <yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId>
  <title>Live now &amp; forever</title>
  <published>2026-11-23T09:59:00+00:00</published>
  <updated>2026-11-23T10:00:00.123456789+00:00</updated>
 </entry>
 <entry><yt:videoId>bad id!</yt:videoId><yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId></entry>
</feed>
)";

TEST(YouTubeFeed, ReadsEntriesAndDropsMalformedIds) {
  auto feed = parse_youtube_feed(kFeed);
  ASSERT_TRUE(feed);
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].video_id, "dQw4w9WgXcQ");
  EXPECT_EQ(feed->entries[0].channel_id, "UCabcdefghijklmnopqrstuv");
  EXPECT_EQ(feed->entries[0].updated, "2026-11-23T10:00:00.123456789+00:00");
  EXPECT_EQ(feed->deleted, 0u);
}

TEST(YouTubeFeed, TombstonesGarbageAndTopics) {
  auto tomb = parse_youtube_feed(
      R"(<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom">)"
      R"(<at:deleted-entry ref="yt:video:dQw4w9WgXcQ" when="2026-11-23T10:00:00+00:00"></at:deleted-entry></feed>)");
  ASSERT_TRUE(tomb);
  EXPECT_TRUE(tomb->entries.empty());
  EXPECT_EQ(tomb->deleted, 1u);
  EXPECT_FALSE(parse_youtube_feed("{\"json\": true}"));
  EXPECT_FALSE(parse_youtube_feed("<feedback/>"));
  EXPECT_EQ(youtube_topic_channel("https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCabc_-9"), "UCabc_-9");
  EXPECT_EQ(youtube_topic_channel("https://www.youtube.com/xml/feeds/videos.xml?channel_id=UC&x=1"), "");
  EXPECT_EQ(youtube_topic_channel("https://evil.example/xml/feeds/videos.xml?channel_id=UCabc"), "");
  EXPECT_EQ(youtube_topic_of("UCabc"), "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCabc");
  EXPECT_FALSE(is_youtube_id(""));
  EXPECT_FALSE(is_youtube_id(std::string(65, 'a')));
  EXPECT_FALSE(is_youtube_id("a<b"));
}

TEST(YouTubeVideo, LiveEndedAndMissing) {
  const auto live = parse_youtube_video(
      R"({"items":[{"id":"vid00000001","snippet":{"channelId":"UCx","liveBroadcastContent":"live"},)"
      R"("liveStreamingDetails":{"actualStartTime":"2026-11-23T10:00:00Z","concurrentViewers":"1234",)"
      R"("activeLiveChatId":"Cg0KC-chat"}}]})",
      "vid00000001");
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->found);
  EXPECT_TRUE(live->live);
  EXPECT_FALSE(live->ended);
  EXPECT_EQ(live->channel_id, "UCx");
  EXPECT_EQ(live->live_chat_id, "Cg0KC-chat");
  EXPECT_EQ(live->concurrent_viewers, std::optional<std::int64_t>(1234));

  const auto ended = parse_youtube_video(
      R"({"items":[{"id":"v","snippet":{"liveBroadcastContent":"none"},)"
      R"("liveStreamingDetails":{"actualEndTime":"2026-11-23T11:00:00Z","activeLiveChatId":"stale"}}]})",
      "v");
  ASSERT_TRUE(ended);
  EXPECT_TRUE(ended->found);
  EXPECT_FALSE(ended->live);
  EXPECT_TRUE(ended->ended);
  EXPECT_TRUE(ended->live_chat_id.empty());
  EXPECT_FALSE(ended->concurrent_viewers);

  const auto upcoming =
      parse_youtube_video(R"({"items":[{"id":"v","snippet":{"liveBroadcastContent":"upcoming"}}]})", "v");
  ASSERT_TRUE(upcoming);
  EXPECT_FALSE(upcoming->live);
  const auto missing = parse_youtube_video(R"({"items":[{"id":"other"}]})", "v");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->found);
  EXPECT_FALSE(parse_youtube_video("not json", "v"));
  EXPECT_FALSE(parse_youtube_video(R"({"kind":"x"})", "v"));
  // Garbage viewer counts are dropped, not guessed.
  const auto odd = parse_youtube_video(
      R"({"items":[{"id":"v","snippet":{"liveBroadcastContent":"live"},"liveStreamingDetails":{"concurrentViewers":"-5"}}]})",
      "v");
  ASSERT_TRUE(odd);
  EXPECT_FALSE(odd->concurrent_viewers);
}

TEST(YouTubeVideo, ActiveBroadcastsAndErrorReasons) {
  const auto ids =
      parse_active_broadcasts(R"({"items":[{"id":"aaaaaaaaaaa","status":{"lifeCycleStatus":"complete"}},)"
                              R"({"id":"bbbbbbbbbbb","status":{"lifeCycleStatus":"live"}},{"id":"ccccccccccc"}]})");
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"bbbbbbbbbbb", "ccccccccccc"}));
  EXPECT_FALSE(parse_active_broadcasts("[]"));
  EXPECT_EQ(
      google_error_reason(
          R"({"error":{"code":403,"message":"The live chat is no longer live.","errors":[{"reason":"liveChatEnded"}]}})"),
      "liveChatEnded");
  EXPECT_EQ(google_error_reason(R"({"error":{"errors":[{"reason":"has spaces and <tags>"}]}})"), "");
  EXPECT_EQ(google_error_reason("garbage"), "");
}

constexpr const char* kPage = R"({
  "kind": "youtube#liveChatMessageListResponse", "nextPageToken": "NEXT42", "pollingIntervalMillis": 3500,
  "items": [
    {"id": "1", "snippet": {"type": "textMessageEvent", "publishedAt": "2026-11-23T10:00:01.500000Z",
                            "authorChannelId": "UCsnippet", "textMessageDetails": {"messageText": "PogChamp 🔥"}},
     "authorDetails": {"channelId": "UCauthor1", "displayName": "A", "isChatModerator": true, "isChatOwner": false,
                       "isChatSponsor": false}},
    {"id": "2", "snippet": {"type": "superChatEvent", "publishedAt": "2026-11-23T10:00:02Z",
                            "superChatDetails": {"amountMicros": "5000000", "currency": "USD", "tier": 3,
                                                 "userComment": "gg"}},
     "authorDetails": {"channelId": "UCauthor2", "isChatSponsor": true}},
    {"id": "3", "snippet": {"type": "superStickerEvent",
                            "superStickerDetails": {"amountMicros": "1000000000", "currency": "JPY", "tier": 6}},
     "authorDetails": {"channelId": "UCauthor3"}},
    {"id": "4", "snippet": {"type": "newSponsorEvent", "newSponsorDetails": {"memberLevelName": "Crew"}},
     "authorDetails": {"channelId": "UCauthor4"}},
    {"id": "5", "snippet": {"type": "memberMilestoneChatEvent",
                            "memberMilestoneChatDetails": {"memberMonth": 14, "userComment": "hi"}},
     "authorDetails": {"channelId": "UCauthor5", "isChatOwner": true}},
    {"id": "6", "snippet": {"type": "membershipGiftingEvent",
                            "membershipGiftingDetails": {"giftMembershipsCount": 20}},
     "authorDetails": {"channelId": "UCauthor6"}},
    {"id": "7", "snippet": {"type": "chatEndedEvent"}},
    "not an object"
  ],
  "offlineAt": "2026-11-23T10:05:00Z"
})";

TEST(YouTubeChat, PageItemsRolesAndEvents) {
  auto page = parse_youtube_chat_page(kPage);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->next_page_token, "NEXT42");
  EXPECT_EQ(page->polling_interval_ms, 3500);
  EXPECT_TRUE(page->offline);
  ASSERT_EQ(page->items.size(), 7u);
  const auto& text = page->items[0];
  EXPECT_EQ(text.kind, YouTubeChatKind::text);
  EXPECT_EQ(text.text, "PogChamp 🔥");
  EXPECT_EQ(text.author_channel_id, "UCauthor1") << "authorDetails.channelId is the platform user id";
  EXPECT_EQ(text.published_ms, 1795428001500);
  auto e = youtube_chat_event(text);
  EXPECT_FALSE(e.event) << "chat text goes to the classifier";
  EXPECT_TRUE(e.facts.moderator);
  EXPECT_DOUBLE_EQ(e.facts.activity, 1.0);

  e = youtube_chat_event(page->items[1]);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->type, sentiment::EventType::super_chat);
  EXPECT_EQ(e.event->amount, 500u);  // $5.00 in cents
  EXPECT_TRUE(e.facts.subscriber) << "isChatSponsor is a member";
  EXPECT_DOUBLE_EQ(e.facts.activity, 3.0);

  e = youtube_chat_event(page->items[2]);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->type, sentiment::EventType::super_chat);
  EXPECT_EQ(e.event->amount, 5000u);  // JPY: tier 6 -> $50

  e = youtube_chat_event(page->items[3]);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->type, sentiment::EventType::sub);
  EXPECT_EQ(e.event->amount, 1u);
  EXPECT_TRUE(e.facts.subscriber);

  e = youtube_chat_event(page->items[4]);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->type, sentiment::EventType::resub);
  EXPECT_EQ(e.event->amount, 14u);
  EXPECT_EQ(e.facts.loyalty_months, 14);
  EXPECT_TRUE(e.facts.moderator) << "the chat owner counts as a moderator";

  e = youtube_chat_event(page->items[5]);
  ASSERT_TRUE(e.event);
  EXPECT_EQ(e.event->type, sentiment::EventType::gift);
  EXPECT_EQ(e.event->amount, 20u);

  EXPECT_EQ(page->items[6].kind, YouTubeChatKind::other);
  EXPECT_FALSE(youtube_chat_event(page->items[6]).event);

  EXPECT_FALSE(parse_youtube_chat_page("{}"));
  EXPECT_FALSE(parse_youtube_chat_page("<html>"));
  auto capped = parse_youtube_chat_page(kPage, 2);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->items.size(), 2u);
}

TEST(YouTubeChat, AmountsBacklogAndCadence) {
  EXPECT_EQ(super_chat_cents(1990000, "USD", 1), 199u);
  EXPECT_EQ(super_chat_cents(100, "USD", 1), 1u);
  EXPECT_EQ(super_chat_cents(50000000, "EUR", 5), 2000u);
  EXPECT_EQ(super_chat_cents(0, "", 0), 100u);
  EXPECT_EQ(super_chat_cents(1, "KRW", 99), 10000u);

  YouTubeChatItem item;
  item.published_ms = 1000;
  EXPECT_TRUE(youtube_chat_backlog(item, 1001));
  EXPECT_FALSE(youtube_chat_backlog(item, 1000));
  EXPECT_FALSE(youtube_chat_backlog(item, 0));
  item.published_ms = 0;
  EXPECT_FALSE(youtube_chat_backlog(item, 5000)) << "an item without a time is kept";

  EXPECT_EQ(youtube_poll_delay(3500, 1000, 60s), 3500ms);
  EXPECT_EQ(youtube_poll_delay(100, 1000, 60s), 1000ms) << "the floor wins";
  EXPECT_EQ(youtube_poll_delay(0, 1000, 60s), 1000ms);
  EXPECT_EQ(youtube_poll_delay(600000, 1000, 60s), 60000ms);
  EXPECT_EQ(youtube_backoff_delay(1, 250, 60s), 1000ms);
  EXPECT_EQ(youtube_backoff_delay(3, 2000, 60s), 8000ms);
  EXPECT_EQ(youtube_backoff_delay(40, 2000, 60s), 60000ms);
}

}  // namespace
}  // namespace onair::stream
