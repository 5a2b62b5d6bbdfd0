#include "stream/service/youtube_feed.hpp"

namespace onair::stream {
namespace {

constexpr std::string_view kTopicPrefix = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// The text of the first <tag>...</tag> inside `scope` ("" when absent).
std::string_view element_text(std::string_view scope, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = scope.find(open);
  if (start == std::string_view::npos) return {};
  const auto body = start + open.size();
  const auto end = scope.find(close, body);
  if (end == std::string_view::npos) return {};
  return trim(scope.substr(body, end - body));
}

// Position of the next element named exactly `name` ("<entry>" or "<entry ...>", not "<entryX").
std::size_t find_element(std::string_view text, std::string_view name, std::size_t from) {
  const std::string open = "<" + std::string(name);
  for (auto pos = text.find(open, from); pos != std::string_view::npos; pos = text.find(open, pos + 1)) {
    const auto after = pos + open.size();
    if (after < text.size() && (text[after] == '>' || text[after] == ' ' || text[after] == '\t' ||
                                text[after] == '\r' || text[after] == '\n' || text[after] == '/')) {
      return pos;
    }
  }
  return std::string_view::npos;
}

bool is_timestamp_text(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == '+' || c == 'T' || c == 'Z';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool is_youtube_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<YouTubeFeed> parse_youtube_feed(std::string_view body, std::size_t max_entries) {
  if (find_element(body, "feed", 0) == std::string_view::npos) return std::nullopt;
  YouTubeFeed feed;
  for (auto pos = find_element(body, "at:deleted-entry", 0); pos != std::string_view::npos;
       pos = find_element(body, "at:deleted-entry", pos + 1)) {
    ++feed.deleted;
  }
  std::size_t pos = 0;
  while (feed.entries.size() < max_entries) {
    const auto start = find_element(body, "entry", pos);
    if (start == std::string_view::npos) break;
    const auto end = body.find("</entry>", start);
    if (end == std::string_view::npos) break;
    const auto entry = body.substr(start, end - start);
    pos = end + 8;
    YouTubeFeedEntry e;
    e.video_id = std::string(element_text(entry, "yt:videoId"));
    e.channel_id = std::string(element_text(entry, "yt:channelId"));
    const auto updated = element_text(entry, "updated");
    if (is_timestamp_text(updated)) e.updated = std::string(updated);
    if (is_youtube_id(e.video_id) && is_youtube_id(e.channel_id)) feed.entries.push_back(std::move(e));
  }
  return feed;
}

std::string youtube_topic_channel(std::string_view topic) {
  if (topic.substr(0, kTopicPrefix.size()) != kTopicPrefix) return {};
  const auto id = topic.substr(kTopicPrefix.size());
  return is_youtube_id(id) ? std::string(id) : std::string();
}

std::string youtube_topic_of(std::string_view channel_id) {
  return std::string(kTopicPrefix) + std::string(channel_id);
}

}  // namespace onair::stream
