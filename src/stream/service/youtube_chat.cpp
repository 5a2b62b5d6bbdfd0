#include "stream/service/youtube_chat.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/time.hpp"

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

bool bool_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

// Numbers come as JSON numbers or (uint64 fields) decimal strings; negative or garbage -> 0.
std::int64_t int_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return std::max<std::int64_t>(0, v->as_int64());
  if (v->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
  if (v->is_double())
    return v->as_double() > 0 && v->as_double() < 9e18 ? static_cast<std::int64_t>(v->as_double()) : 0;
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 18) return 0;
  std::int64_t n = 0;
  for (char c : v->as_string()) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

YouTubeChatKind kind_of(std::string_view type) {
  if (type == "textMessageEvent") return YouTubeChatKind::text;
  if (type == "superChatEvent") return YouTubeChatKind::super_chat;
  if (type == "superStickerEvent") return YouTubeChatKind::super_sticker;
  if (type == "newSponsorEvent") return YouTubeChatKind::new_sponsor;
  if (type == "memberMilestoneChatEvent") return YouTubeChatKind::member_milestone;
  if (type == "membershipGiftingEvent") return YouTubeChatKind::membership_gifting;
  return YouTubeChatKind::other;
}

std::uint32_t clamp_amount(std::int64_t v) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, 1000000000));
}

YouTubeChatItem item_of(const json::object& message) {
  YouTubeChatItem item;
  const auto* snippet = object_at(message, "snippet");
  if (!snippet) return item;
  item.kind = kind_of(string_at(*snippet, "type"));
  if (const auto published = parse_rfc3339(string_at(*snippet, "publishedAt"))) {
    item.published_ms = std::chrono::duration_cast<std::chrono::milliseconds>(published->time_since_epoch()).count();
  }
  item.author_channel_id = std::string(string_at(*snippet, "authorChannelId"));
  if (const auto* author = object_at(message, "authorDetails")) {
    if (const auto id = string_at(*author, "channelId"); !id.empty()) item.author_channel_id = std::string(id);
    item.moderator = bool_at(*author, "isChatModerator");
    item.owner = bool_at(*author, "isChatOwner");
    item.sponsor = bool_at(*author, "isChatSponsor");
  }
  switch (item.kind) {
    case YouTubeChatKind::text:
      if (const auto* d = object_at(*snippet, "textMessageDetails")) {
        item.text = std::string(string_at(*d, "messageText"));
      } else {
        item.text = std::string(string_at(*snippet, "displayMessage"));
      }
      break;
    case YouTubeChatKind::super_chat:
    case YouTubeChatKind::super_sticker: {
      const auto* d =
          object_at(*snippet, item.kind == YouTubeChatKind::super_chat ? "superChatDetails" : "superStickerDetails");
      if (d) {
        item.amount_micros = int_at(*d, "amountMicros");
        item.currency = std::string(string_at(*d, "currency").substr(0, 8));
        item.tier = int_at(*d, "tier");
      }
      break;
    }
    case YouTubeChatKind::member_milestone:
      if (const auto* d = object_at(*snippet, "memberMilestoneChatDetails")) item.months = int_at(*d, "memberMonth");
      break;
    case YouTubeChatKind::membership_gifting:
      if (const auto* d = object_at(*snippet, "membershipGiftingDetails")) {
        item.count = int_at(*d, "giftMembershipsCount");
      }
      break;
    case YouTubeChatKind::new_sponsor:
    case YouTubeChatKind::other:
      break;
  }
  return item;
}

}  // namespace

std::optional<YouTubeChatPage> parse_youtube_chat_page(std::string_view body, std::size_t max_items) {
  boost::system::error_code ec;
  auto root = json::parse(body, ec);
  if (ec || !root.is_object()) return std::nullopt;
  const auto& o = root.as_object();
  const auto* items = o.if_contains("items");
  if (!items || !items->is_array()) return std::nullopt;
  YouTubeChatPage page;
  const auto token = string_at(o, "nextPageToken");
  if (token.size() <= 1024) page.next_page_token = std::string(token);
  page.polling_interval_ms = int_at(o, "pollingIntervalMillis");
  page.offline = !string_at(o, "offlineAt").empty();
  page.items.reserve(std::min(items->as_array().size(), max_items));
  for (const auto& m : items->as_array()) {
    if (page.items.size() >= max_items) break;
    if (m.is_object()) page.items.push_back(item_of(m.as_object()));
  }
  return page;
}

YouTubeChatEvent youtube_chat_event(const YouTubeChatItem& item) {
  YouTubeChatEvent out;
  out.facts.moderator = item.moderator || item.owner;
  out.facts.subscriber = item.sponsor;
  using sentiment::EventType;
  switch (item.kind) {
    case YouTubeChatKind::text:
    case YouTubeChatKind::other:
      return out;
    case YouTubeChatKind::super_chat:
    case YouTubeChatKind::super_sticker:
      out.event = sentiment::PlatformEvent{EventType::super_chat,
                                           super_chat_cents(item.amount_micros, item.currency, item.tier)};
      break;
    case YouTubeChatKind::new_sponsor:
      out.facts.subscriber = true;
      out.event = sentiment::PlatformEvent{EventType::sub, 1};
      break;
    case YouTubeChatKind::member_milestone:
      out.facts.subscriber = true;
      out.facts.loyalty_months = item.months;
      out.event = sentiment::PlatformEvent{EventType::resub, clamp_amount(item.months)};
      break;
    case YouTubeChatKind::membership_gifting:
      out.event = sentiment::PlatformEvent{EventType::gift, clamp_amount(std::max<std::int64_t>(1, item.count))};
      break;
  }
  out.facts.activity = 3.0;  // an event weighs like a Twitch sub or cheer (audience.hpp)
  return out;
}

std::uint32_t super_chat_cents(std::int64_t amount_micros, std::string_view currency, std::int64_t tier) {
  if (currency == "USD" && amount_micros > 0) {
    return clamp_amount(std::max<std::int64_t>(1, amount_micros / 10000));
  }
  static constexpr std::int64_t kTierCents[] = {100, 200, 500, 1000, 2000, 5000, 10000};
  const auto index = std::clamp<std::int64_t>(tier, 1, std::size(kTierCents)) - 1;
  return clamp_amount(kTierCents[index]);
}

bool youtube_chat_backlog(const YouTubeChatItem& item, std::int64_t skip_before_ms) {
  return skip_before_ms > 0 && item.published_ms > 0 && item.published_ms < skip_before_ms;
}

std::chrono::milliseconds youtube_poll_delay(std::int64_t polling_interval_ms, std::int64_t floor_ms,
                                             std::chrono::milliseconds ceiling) {
  const auto wanted = std::max(polling_interval_ms, floor_ms);
  return std::min(std::chrono::milliseconds(wanted), ceiling);
}

std::chrono::milliseconds youtube_backoff_delay(int failures, std::int64_t floor_ms,
                                                std::chrono::milliseconds ceiling) {
  const auto base = std::max<std::int64_t>(floor_ms, 1000);
  const int doublings = std::clamp(failures - 1, 0, 20);
  const auto wanted = std::chrono::milliseconds(base) * (std::int64_t{1} << doublings);
  return std::min(wanted, ceiling);
}

}  // namespace onair::stream
