#pragma once
// Signed Twitch EventSub channel.chat.message notifications, as whole HTTP/1.1 requests ready
// to write, for bench/webhook. Each has its own Twitch-Eventsub-Message-Id (UUID v4), the
// current time as Twitch writes it (RFC 3339 with nanoseconds), and
// Twitch-Eventsub-Message-Signature = "sha256=" hex HMAC-SHA256(secret, id + timestamp + body).
// Bodies follow the EventSub reference (subscription + event with fragments, badges, color and
// the null fields Twitch sends); chatters are synthetic and skewed (a few talk a lot), some
// carry subscriber / moderator / VIP badges. Pure: no I/O.
#include <cstdint>
#include <string>
#include <vector>

namespace onair::bench {

struct ChatNotificationOptions {
  std::string secret;          // STREAM_TWITCH_WEBHOOK_SECRET
  std::string broadcaster_id;  // the linked channel (the fake's authorize_as user)
  std::string host;            // Host header, "127.0.0.1:PORT"
  std::size_t chatters = 5000;
  std::uint64_t seed = 1;
};

// `count` requests; chat lines are taken from `texts` in a seeded random order.
std::vector<std::string> make_chat_notifications(const ChatNotificationOptions& options,
                                                 const std::vector<std::string>& texts, std::size_t count);

}  // namespace onair::bench
