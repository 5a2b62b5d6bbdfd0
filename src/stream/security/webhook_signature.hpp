#pragma once
// Verification of the platforms' webhook deliveries, over the raw body bytes as received.
// Pure: no I/O, the clock is a parameter. Digests are compared in constant time
// (CRYPTO_memcmp). Only verified deliveries may enter the DedupWindow (dedup_window.hpp),
// so forged ones cannot evict real ids. docs/stream.md ("Webhook verification").
//
//   Twitch EventSub   Twitch-Eventsub-Message-Signature: sha256=hex(HMAC-SHA256(secret,
//                     message id + timestamp + body)); timestamp RFC 3339, within the window.
//   WebSub (YouTube)  X-Hub-Signature: <sha1|sha256|sha384|sha512>=hex(HMAC(hub.secret, body)).
//                     No timestamp: the caller deduplicates on the feed entry instead.
//   custom            X-Onair-Signature: sha256=hex(HMAC-SHA256(link webhook secret,
//                     "v1:" + link id + ":" + delivery id + ":" + timestamp + ":" + body));
//                     ids [A-Za-z0-9._-]{1,128} (no ':', so the framing is unambiguous),
//                     timestamp Unix seconds, within the window.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::stream::security {

class HmacSha256Key;
using WallClock = std::chrono::system_clock;

enum class Verdict : std::uint8_t {
  ok,
  missing_header,       // a required header is absent or empty
  malformed_id,         // message / delivery / link id not in the allowed form
  malformed_signature,  // not "<algorithm>=<hex digest of the right length>", or an unknown algorithm
  malformed_timestamp,  // not RFC 3339 (Twitch) / Unix seconds (custom)
  bad_signature,        // well-formed, but not made with this secret over this message
  stale,                // older than ReplayWindow::max_age
  from_future,          // further than ReplayWindow::max_future_skew ahead of the clock
};
std::string_view to_string(Verdict v) noexcept;

struct ReplayWindow {
  std::chrono::seconds max_age{600};         // STREAM_WEBHOOK_MAX_MESSAGE_AGE_SECONDS (Twitch: 10 minutes)
  std::chrono::seconds max_future_skew{60};  // STREAM_WEBHOOK_MAX_FUTURE_SKEW_SECONDS
};
// stale / from_future / ok for a message stamped `stamped` at `now`.
Verdict check_freshness(WallClock::time_point stamped, WallClock::time_point now, const ReplayWindow& window) noexcept;

// Raw 32-byte HMAC-SHA256 of `message`.
std::string hmac_sha256(std::string_view key, std::string_view message);

// "2024-05-01T12:00:00.123456789Z" (or an offset); seconds may be 60; up to 9 fraction digits.
std::optional<WallClock::time_point> parse_rfc3339(std::string_view text) noexcept;

// --- Twitch EventSub -------------------------------------------------------------------
struct TwitchSignedHeaders {
  std::string_view message_id;  // Twitch-Eventsub-Message-Id
  std::string_view timestamp;   // Twitch-Eventsub-Message-Timestamp
  std::string_view signature;   // Twitch-Eventsub-Message-Signature
};
Verdict verify_twitch_eventsub(std::string_view secret, const TwitchSignedHeaders& headers, std::string_view body,
                               WallClock::time_point now, const ReplayWindow& window = {});
// The same checks in the same order, with the secret keyed once (hmac_sha256_key.hpp): the
// webhook hot path, where keying per message cost more than hashing the body.
Verdict verify_twitch_eventsub(const HmacSha256Key& secret, const TwitchSignedHeaders& headers, std::string_view body,
                               WallClock::time_point now, const ReplayWindow& window = {});
// "sha256=<hex>" as Twitch sends it (for the local fake and tests).
std::string sign_twitch_eventsub(std::string_view secret, std::string_view message_id, std::string_view timestamp,
                                 std::string_view body);

// --- WebSub (YouTube) --------------------------------------------------------------------
enum class WebSubAlgorithm : std::uint8_t { sha1, sha256, sha384, sha512 };
Verdict verify_websub(std::string_view secret, std::string_view x_hub_signature, std::string_view body);
std::string sign_websub(std::string_view secret, std::string_view body, WebSubAlgorithm algorithm);
// The hub.secret of one topic: hex(HMAC-SHA256(master, "onair.websub.v1:" + topic URL)), 64
// characters (the WebSub limit is 200 bytes). One leaked topic secret forges no other topic.
std::string derive_websub_secret(std::string_view master, std::string_view topic_url);

// --- custom platforms ----------------------------------------------------------------------
struct CustomSignedHeaders {
  std::string_view link_id;      // X-Onair-Link-Id
  std::string_view delivery_id;  // X-Onair-Delivery-Id
  std::string_view timestamp;    // X-Onair-Timestamp (Unix seconds)
  std::string_view signature;    // X-Onair-Signature
};
// The link id identifies the secret: callers look it up first and answer an unknown link
// like a bad signature.
Verdict verify_custom_webhook(std::string_view secret, const CustomSignedHeaders& headers, std::string_view body,
                              WallClock::time_point now, const ReplayWindow& window = {});
std::string sign_custom_webhook(std::string_view secret, std::string_view link_id, std::string_view delivery_id,
                                std::string_view timestamp, std::string_view body);
// A new custom webhook secret: 32 random bytes as 64 hex characters (the ASCII text is the
// HMAC key). Throws std::runtime_error when the RNG fails.
std::string generate_webhook_secret();

}  // namespace onair::stream::security
