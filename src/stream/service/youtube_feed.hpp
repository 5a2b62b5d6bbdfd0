#pragma once
// YouTube's WebSub payload -> the videos it announces. Pure, no I/O.
//
// The hub delivers an Atom feed (https://developers.google.com/youtube/v3/guides/push_notifications):
// one <entry> per new or updated video with <yt:videoId>, <yt:channelId> and <updated>, or an
// <at:deleted-entry> tombstone. This is not a general XML parser: it reads exactly those elements of
// the format YouTube sends, and drops ids outside YouTube's alphabet, so nothing odd travels further.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::stream {

struct YouTubeFeedEntry {
  std::string video_id;
  std::string channel_id;
  std::string updated;  // as sent (the dedup key with the video id); empty when absent
};

struct YouTubeFeed {
  std::vector<YouTubeFeedEntry> entries;
  std::size_t deleted = 0;  // tombstones (nothing to do for them)
};

// nullopt: not an Atom feed. At most `max_entries` entries are read.
std::optional<YouTubeFeed> parse_youtube_feed(std::string_view body, std::size_t max_entries = 16);

// "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UC..." -> "UC..."; "" for any other topic.
std::string youtube_topic_channel(std::string_view topic);

// The topic URL of a channel's uploads feed (what onair subscribes to at the hub).
std::string youtube_topic_of(std::string_view channel_id);

// 1..64 characters of [A-Za-z0-9_-] (video ids are 11, channel ids 24).
bool is_youtube_id(std::string_view id) noexcept;

}  // namespace onair::stream
