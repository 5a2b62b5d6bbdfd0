#include "stream/service/youtube_video.hpp"

#include <boost/json.hpp>

#include "stream/service/youtube_feed.hpp"

namespace onair::stream {
namespace json = boost::json;

namespace {

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string_view string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::optional<std::int64_t> count_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64() < 0 ? std::nullopt : std::optional<std::int64_t>(v->as_int64());
  if (v->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : v->as_string()) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

}  // namespace

std::optional<YouTubeVideoStatus> parse_youtube_video(std::string_view body, std::string_view video_id) {
  const auto root = parse_object(body);
  if (!root) return std::nullopt;
  const auto* items = root->if_contains("items");
  if (!items || !items->is_array()) return std::nullopt;
  YouTubeVideoStatus out;
  for (const auto& item : items->as_array()) {
    if (!item.is_object() || string_at(item.as_object(), "id") != video_id) continue;
    const auto& video = item.as_object();
    out.found = true;
    std::string_view content;
    if (const auto* snippet = object_at(video, "snippet")) {
      const auto channel = string_at(*snippet, "channelId");
      if (is_youtube_id(channel)) out.channel_id = std::string(channel);
      content = string_at(*snippet, "liveBroadcastContent");
    }
    if (const auto* details = object_at(video, "liveStreamingDetails")) {
      out.ended = !string_at(*details, "actualEndTime").empty();
      const auto chat = string_at(*details, "activeLiveChatId");
      if (!chat.empty() && chat.size() <= 256) out.live_chat_id = std::string(chat);
      out.concurrent_viewers = count_at(*details, "concurrentViewers");
    }
    out.live = content == "live" && !out.ended;
    if (!out.live) out.live_chat_id.clear();
    break;
  }
  return out;
}

std::optional<std::vector<std::string>> parse_active_broadcasts(std::string_view body) {
  const auto root = parse_object(body);
  if (!root) return std::nullopt;
  const auto* items = root->if_contains("items");
  if (!items || !items->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : items->as_array()) {
    if (!item.is_object()) continue;
    const auto id = string_at(item.as_object(), "id");
    if (!is_youtube_id(id)) continue;
    if (const auto* status = object_at(item.as_object(), "status")) {
      const auto life = string_at(*status, "lifeCycleStatus");
      if (life != "live" && life != "liveStarting") continue;
    }
    out.emplace_back(id);
  }
  return out;
}

std::string google_error_reason(std::string_view body) {
  const auto root = parse_object(body);
  if (!root) return {};
  const auto* error = object_at(*root, "error");
  if (!error) return {};
  const auto* errors = error->if_contains("errors");
  if (!errors || !errors->is_array() || errors->as_array().empty() || !errors->as_array().front().is_object()) {
    return {};
  }
  const auto reason = string_at(errors->as_array().front().as_object(), "reason");
  if (reason.empty() || reason.size() > 64) return {};
  for (char c : reason) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return {};
  }
  return std::string(reason);
}

}  // namespace onair::stream
