#include "notifications.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>

#include "core/ids.hpp"
#include "stream/security/webhook_signature.hpp"

namespace onair::bench {
namespace json = boost::json;

namespace {

// Twitch global emotes (name, id) that become emote fragments, as in tools/fake-platforms/twitch.py.
constexpr std::pair<std::string_view, std::string_view> kGlobalEmotes[] = {
    {"Kappa", "25"},
    {"Kreygasm", "41"},
    {"BibleThump", "86"},
    {"DansGame", "33"},
    {"ResidentSleeper", "245"},
    {"4Head", "354"},
    {"FailFish", "360"},
    {"HeyGuys", "30259"},
    {"WutFace", "28087"},
    {"NotLikeThis", "58765"},
    {"SeemsGood", "64138"},
    {"VoHiYo", "81274"},
    {"Jebaited", "114836"},
    {"TriHard", "120232"},
    {"CoolStoryBob", "123171"},
    {"LUL", "425618"},
    {"PogChamp", "305954156"},
    {"KomodoHype", "81273"},
    {"BabyRage", "22639"},
    {"SMOrc", "52"},
    {"PJSalt", "36"},
    {"MrDestructoid", "28"},
    {"TwitchUnity", "196892"},
};

const char* const kColors[] = {"#FF0000", "#0000FF", "#008000", "#B22222", "#FF7F50", "#9ACD32", "#FF4500",
                               "#2E8B57", "#DAA520", "#D2691E", "#5F9EA0", "#1E90FF", "#FF69B4", "#8A2BE2"};

std::string_view emote_id(std::string_view word) {
  for (const auto& [name, id] : kGlobalEmotes) {
    if (name == word) return id;
  }
  return {};
}

json::object fragment(std::string_view type, std::string_view text) {
  return {{"type", type}, {"text", text}, {"cheermote", nullptr}, {"emote", nullptr}, {"mention", nullptr}};
}

// message.fragments: runs of plain text, global emotes split out (Twitch's shape).
json::array fragments_of(std::string_view text) {
  json::array out;
  std::string run;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = std::min(text.find(' ', pos), text.size());
    const auto word = text.substr(pos, end - pos);
    if (const auto id = emote_id(word); !id.empty()) {
      if (!run.empty()) out.push_back(fragment("text", run));
      run.clear();
      auto e = fragment("emote", word);
      e["emote"] =
          json::object{{"id", id}, {"emote_set_id", "0"}, {"owner_id", "0"}, {"format", json::array{"static"}}};
      out.push_back(std::move(e));
    } else {
      run += word;
    }
    if (end < text.size()) run += ' ';
    pos = end + 1;
  }
  if (!run.empty()) out.push_back(fragment("text", run));
  return out;
}

// "2024-05-01T12:00:00.123456789Z", as Twitch stamps its messages.
std::string twitch_timestamp(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns % 1000000000));
  return out;
}

struct Chatter {
  std::string id, login, name, color;
  json::array badges;
};

// Synthetic chatters: ~25% subscribers (tenure 1..36 months), 1% moderators, 1% VIPs.
std::vector<Chatter> make_chatters(std::size_t n, std::mt19937_64& rng) {
  std::vector<Chatter> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Chatter c;
    c.id = std::to_string(400000000 + rng() % 500000000);
    c.login = "bench_viewer_" + std::to_string(i);
    c.name = "Bench_Viewer_" + std::to_string(i);
    c.color = kColors[rng() % std::size(kColors)];
    const auto roll = rng() % 100;
    if (roll == 0) c.badges.push_back(json::object{{"set_id", "moderator"}, {"id", "1"}, {"info", ""}});
    if (roll == 1) c.badges.push_back(json::object{{"set_id", "vip"}, {"id", "1"}, {"info", ""}});
    if (roll < 25) {
      const auto months = std::to_string(1 + rng() % 36);
      c.badges.push_back(json::object{{"set_id", "subscriber"}, {"id", months}, {"info", months}});
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<std::string> make_chat_notifications(const ChatNotificationOptions& options,
                                                 const std::vector<std::string>& texts, std::size_t count) {
  std::mt19937_64 rng(options.seed);
  const auto chatters = make_chatters(std::max<std::size_t>(options.chatters, 1), rng);
  const auto& b = options.broadcaster_id;
  const json::object subscription{
      {"id", new_uuid()},
      {"status", "enabled"},
      {"type", "channel.chat.message"},
      {"version", "1"},
      {"condition", json::object{{"broadcaster_user_id", b}, {"user_id", b}}},
      {"transport", json::object{{"method", "webhook"}, {"callback", "https://onair.example/stream/webhook/twitch"}}},
      {"created_at", twitch_timestamp(std::chrono::system_clock::now() - std::chrono::hours(2))},
      {"cost", 0}};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // Skewed: the square of a uniform draw favours the first chatters (a few regulars talk a lot).
    const auto u = unit(rng);
    const auto& c = chatters[static_cast<std::size_t>(u * u * static_cast<double>(chatters.size())) % chatters.size()];
    const auto& text = texts.empty() ? std::string("hello chat Kappa") : texts[rng() % texts.size()];
    json::object event{{"broadcaster_user_id", b},
                       {"broadcaster_user_login", "twitchdev"},
                       {"broadcaster_user_name", "TwitchDev"},
                       {"chatter_user_id", c.id},
                       {"chatter_user_login", c.login},
                       {"chatter_user_name", c.name},
                       {"message_id", new_uuid()},
                       {"message", json::object{{"text", text}, {"fragments", fragments_of(text)}}},
                       {"color", c.color},
                       {"badges", c.badges},
                       {"message_type", "text"},
                       {"cheer", nullptr},
                       {"reply", nullptr},
                       {"channel_points_custom_reward_id", nullptr},
                       {"channel_points_animation_id", nullptr},
                       {"source_broadcaster_user_id", nullptr},
                       {"source_broadcaster_user_login", nullptr},
                       {"source_broadcaster_user_name", nullptr},
                       {"source_message_id", nullptr},
                       {"source_badges", nullptr},
                       {"is_source_only", nullptr}};
    json::object body_object{{"subscription", subscription}, {"event", std::move(event)}};
    const auto body = json::serialize(body_object);
    const auto id = new_uuid();
    const auto timestamp = twitch_timestamp(std::chrono::system_clock::now());
    // One-shot OpenSSL HMAC, independent of the server's keyed HmacSha256Key.
    const auto signature = stream::security::sign_twitch_eventsub(options.secret, id, timestamp, body);
    std::string request;
    request.reserve(body.size() + 512);
    request += "POST /stream/webhook/twitch HTTP/1.1\r\nHost: ";
    request += options.host;
    request += "\r\nContent-Type: application/json\r\nContent-Length: ";
    request += std::to_string(body.size());
    request += "\r\nTwitch-Eventsub-Message-Id: " + id;
    request += "\r\nTwitch-Eventsub-Message-Retry: 0\r\nTwitch-Eventsub-Message-Type: notification";
    request += "\r\nTwitch-Eventsub-Message-Signature: " + signature;
    request += "\r\nTwitch-Eventsub-Message-Timestamp: " + timestamp;
    request += "\r\nTwitch-Eventsub-Subscription-Type: channel.chat.message\r\nTwitch-Eventsub-Subscription-Version: 1";
    request += "\r\n\r\n";
    request += body;
    out.push_back(std::move(request));
  }
  return out;
}

}  // namespace onair::bench
