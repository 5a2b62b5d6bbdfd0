#pragma once
// YouTube Data API v3 answers about a broadcast -> what the live check needs. Pure, no I/O.
//
//   videos.list (part=snippet,liveStreamingDetails)
//     https://developers.google.com/youtube/v3/docs/videos#resource: snippet.liveBroadcastContent
//     ("live" / "upcoming" / "none"), liveStreamingDetails.actualEndTime, .activeLiveChatId (only while
//     the chat is live), .concurrentViewers (a decimal string: the API serialises uint64 as text).
//   liveBroadcasts.list (broadcastStatus=active): the broadcast ids (= video ids) live right now.
//   Google's error envelope {error: {code, errors: [{reason}]}}: the machine-readable reason.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::stream {

struct YouTubeVideoStatus {
  bool found = false;        // the video was in the answer
  std::string channel_id;    // snippet.channelId
  bool live = false;         // liveBroadcastContent == "live" and no actualEndTime
  bool ended = false;        // actualEndTime is set
  std::string live_chat_id;  // activeLiveChatId; empty: no live chat
  std::optional<std::int64_t> concurrent_viewers;
};

// nullopt: not a videos.list answer.
std::optional<YouTubeVideoStatus> parse_youtube_video(std::string_view body, std::string_view video_id);

// The ids of the live broadcasts in a liveBroadcasts.list answer (lifeCycleStatus "live" or "liveStarting",
// or no status part); nullopt: not a liveBroadcasts.list answer.
std::optional<std::vector<std::string>> parse_active_broadcasts(std::string_view body);

// errors[0].reason of Google's error envelope when it is a plain code ([A-Za-z0-9_.-], at most 64
// characters: safe to log); "" otherwise.
std::string google_error_reason(std::string_view body);

}  // namespace onair::stream
