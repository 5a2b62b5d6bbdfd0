#pragma once
// HMAC-SHA256 under one fixed key, keyed once (the webhook hot path: every Twitch EventSub
// notification is verified with the same STREAM_TWITCH_WEBHOOK_SECRET). Setting up an OpenSSL
// HMAC context (fetching the digest, hashing the padded key) cost more than hashing a 1.5 KB
// body; here each context is keyed once and reset per message to the keyed state, and idle
// contexts are kept in a small pool so concurrent threads never share one. Thread-safe.
// Pure: no I/O. bench/webhook measured it (docs/stream.md, "bench/webhook").
#include <array>
#include <cstddef>
#include <initializer_list>
#include <mutex>
#include <string_view>
#include <vector>

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace onair::stream::security {

class HmacSha256Key {
 public:
  using Digest = std::array<unsigned char, 32>;

  // Copies the key into OpenSSL's context (the caller's copy may go). Throws
  // std::runtime_error when OpenSSL cannot set up HMAC-SHA256.
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  // HMAC-SHA256(key, parts concatenated). Throws std::runtime_error when OpenSSL fails.
  Digest mac(std::initializer_list<std::string_view> parts) const;

 private:
  EVP_MAC_CTX* acquire() const;
  void release(EVP_MAC_CTX* ctx) const noexcept;

  EVP_MAC_CTX* keyed_;  // never used directly: the template the pooled contexts are copied from
  mutable std::mutex mutex_;
  mutable std::vector<EVP_MAC_CTX*> idle_;
};

}  // namespace onair::stream::security
