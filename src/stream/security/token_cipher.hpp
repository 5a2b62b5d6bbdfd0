#pragma once
// Secrets at rest (platform access/refresh tokens, custom webhook secrets, RTMP URLs):
// AES-256-GCM with a random 96-bit nonce per seal. A sealed value is text, safe for any
// SQL column:
//
//   "v1:" + base64(nonce[12] | ciphertext | tag[16])
//
// The associated data binds a blob to where it belongs (token_associated_data(): link id
// and field), so a blob copied into another row or column fails to open. open() answers
// nullopt for a malformed blob, a wrong key, tampering or the wrong associated data alike.
// docs/stream.md ("Tokens at rest").
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace onair::stream::security {

inline constexpr std::size_t kTokenKeyBytes = 32;
inline constexpr std::size_t kTokenNonceBytes = 12;
inline constexpr std::size_t kTokenTagBytes = 16;
inline constexpr std::string_view kSealedPrefix = "v1:";

using TokenKey = std::array<unsigned char, kTokenKeyBytes>;
using TokenNonce = std::array<unsigned char, kTokenNonceBytes>;

// "onair.stream.link:<linkId>:<field>" (field e.g. "access_token", "refresh_token",
// "webhook_secret", "rtmp_url").
std::string token_associated_data(std::string_view link_id, std::string_view field);

class TokenCipher {
 public:
  explicit TokenCipher(const TokenKey& key) noexcept : key_(key) {}
  TokenCipher(const TokenCipher&) = default;
  TokenCipher& operator=(const TokenCipher&) = default;
  ~TokenCipher();

  // STREAM_TOKEN_ENCRYPTION_KEY: 32 bytes as 64 hex characters (either case) or as padded
  // base64 (44 characters); surrounding whitespace is ignored. Throws std::invalid_argument
  // otherwise; the message never contains the text.
  static TokenCipher from_key_text(std::string_view text);
  // The fixed key of development mode (SHA-256 of a public string): never for real tokens.
  static TokenCipher development();

  // Throws std::runtime_error when the RNG or the cipher fails (never for valid input).
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // Same with a given nonce: for known-answer tests only (a nonce must never repeat under a key).
  std::string seal_with_nonce(std::string_view plaintext, std::string_view associated_data,
                              const TokenNonce& nonce) const;
  std::optional<std::string> open(std::string_view sealed, std::string_view associated_data) const;

  // True when `text` has the sealed form's prefix (not that it opens).
  static bool is_sealed(std::string_view text) noexcept {
    return text.substr(0, kSealedPrefix.size()) == kSealedPrefix;
  }

 private:
  TokenKey key_;
};

}  // namespace onair::stream::security
