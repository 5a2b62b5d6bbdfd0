#pragma once
// YouTube live chat (liveChatMessages.list, part=snippet,authorDetails) -> what the ingestion path
// takes, and the poll cadence. Pure, no I/O.
// https://developers.google.com/youtube/v3/live/docs/liveChatMessages (resource and list).
//
// Mapping (docs/stream.md, "YouTube live chat"):
//   textMessageEvent                  chat text (the classifier)
//   superChatEvent, superStickerEvent super_chat with the amount in US cents (cheer-like)
//   newSponsorEvent                   sub (tier 1; a membership is one level as far as sentiment goes)
//   memberMilestoneChatEvent          resub with memberMonth as the months (stated loyalty)
//   membershipGiftingEvent            gift with giftMembershipsCount
//   everything else (chatEndedEvent, deletions, bans, sponsor-only mode, the gift *received* events
//   that follow a gifting one, polls, ...) carries no audience sentiment and is skipped.
// Roles from authorDetails: isChatModerator and isChatOwner -> moderator, isChatSponsor -> subscriber.
// authorDetails.channelId is the platform user id: it goes to the tracked-viewer map only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/events.hpp"
#include "stream/service/audience.hpp"

namespace onair::stream {

enum class YouTubeChatKind : std::uint8_t {
  text,
  super_chat,
  super_sticker,
  new_sponsor,
  member_milestone,
  membership_gifting,
  other,  // no sentiment
};

// One message, alive only while a page is ingested.
struct YouTubeChatItem {
  YouTubeChatKind kind = YouTubeChatKind::other;
  std::string author_channel_id;  // the platform user id
  std::string text;               // chat text (text messages only)
  std::int64_t amount_micros = 0;
  std::string currency;
  std::int64_t tier = 0;
  std::int64_t months = 0;  // member milestone
  std::int64_t count = 0;   // gifted memberships
  bool moderator = false;
  bool owner = false;
  bool sponsor = false;
  std::int64_t published_ms = 0;  // 0: unknown
};

struct YouTubeChatPage {
  std::vector<YouTubeChatItem> items;
  std::string next_page_token;
  std::int64_t polling_interval_ms = 0;  // 0: not given
  bool offline = false;                  // offlineAt present: the stream went offline
};

// nullopt: not a liveChatMessages.list answer. At most `max_items` items are kept.
std::optional<YouTubeChatPage> parse_youtube_chat_page(std::string_view body, std::size_t max_items = 5000);

// An item's viewer facts and, for a platform event, the event; nullopt event = classify `text`.
struct YouTubeChatEvent {
  ViewerFacts facts;
  std::optional<sentiment::PlatformEvent> event;
};
YouTubeChatEvent youtube_chat_event(const YouTubeChatItem& item);

// Super Chat / Super Sticker amount in US cents: USD amounts exactly (micros / 10 000); other
// currencies from the tier (the API only says lower amounts have lower tiers: the lower bounds of
// YouTube's colour tiers, $1 $2 $5 $10 $20 $50 $100, are used), at least 1 dollar.
std::uint32_t super_chat_cents(std::int64_t amount_micros, std::string_view currency, std::int64_t tier);

// Whether the item is backlog to skip: published before `skip_before_ms` (0 = nothing skipped).
// Items without a readable publishedAt are kept.
bool youtube_chat_backlog(const YouTubeChatItem& item, std::int64_t skip_before_ms);

// The wait before the next poll: max(pollingIntervalMillis, the configured floor), at most `ceiling`.
std::chrono::milliseconds youtube_poll_delay(std::int64_t polling_interval_ms, std::int64_t floor_ms,
                                             std::chrono::milliseconds ceiling);
// After `failures` consecutive failed polls: floor * 2^(failures-1), at most `ceiling`.
std::chrono::milliseconds youtube_backoff_delay(int failures, std::int64_t floor_ms, std::chrono::milliseconds ceiling);

}  // namespace onair::stream
