#include "stream/security/token_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>
#include <stdexcept>

#include "stream/security/encoding.hpp"

namespace onair::stream::security {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* bytes_of(std::string_view s) noexcept { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool fits_int(std::size_t n) noexcept { return n <= static_cast<std::size_t>(std::numeric_limits<int>::max() / 2); }

}  // namespace

std::string token_associated_data(std::string_view link_id, std::string_view field) {
  std::string out = "onair.stream.link:";
  out.append(link_id).append(":").append(field);
  return out;
}

TokenCipher::~TokenCipher() { OPENSSL_cleanse(key_.data(), key_.size()); }

TokenCipher TokenCipher::from_key_text(std::string_view text) {
  const auto t = trim(text);
  std::optional<std::string> raw;
  if (t.size() == kTokenKeyBytes * 2) {
    raw = from_hex(t);
  } else if (t.size() == (kTokenKeyBytes + 2) / 3 * 4) {
    raw = from_base64(t);
  }
  if (!raw || raw->size() != kTokenKeyBytes) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    throw std::invalid_argument(
        "STREAM_TOKEN_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or as base64 (44 characters)");
  }
  TokenKey key{};
  for (std::size_t i = 0; i < kTokenKeyBytes; ++i) key[i] = static_cast<unsigned char>((*raw)[i]);
  OPENSSL_cleanse(raw->data(), raw->size());
  TokenCipher cipher(key);
  OPENSSL_cleanse(key.data(), key.size());
  return cipher;
}

TokenCipher TokenCipher::development() {
  constexpr std::string_view kSeed = "onair development token key - never use for real tokens";
  TokenKey key{};
  SHA256(bytes_of(kSeed), kSeed.size(), key.data());
  return TokenCipher(key);
}

std::string TokenCipher::seal(std::string_view plaintext, std::string_view associated_data) const {
  TokenNonce nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw std::runtime_error("token cipher: the random number generator failed");
  }
  return seal_with_nonce(plaintext, associated_data, nonce);
}

std::string TokenCipher::seal_with_nonce(std::string_view plaintext, std::string_view associated_data,
                                         const TokenNonce& nonce) const {
  if (!fits_int(plaintext.size()) || !fits_int(associated_data.size())) {
    throw std::runtime_error("token cipher: input too large");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string raw(kTokenNonceBytes + plaintext.size() + kTokenTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  std::copy(nonce.begin(), nonce.end(), out);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kTokenNonceBytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce.data()) == 1;
  if (ok && !associated_data.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                           static_cast<int>(associated_data.size())) == 1;
  }
  int written = 0;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), out + kTokenNonceBytes, &len, bytes_of(plaintext),
                           static_cast<int>(plaintext.size())) == 1;
    written = len;
  }
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), out + kTokenNonceBytes + written, &len) == 1;
  ok = ok && static_cast<std::size_t>(written + len) == plaintext.size();
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTokenTagBytes),
                                 out + kTokenNonceBytes + plaintext.size()) == 1;
  if (!ok) {
    OPENSSL_cleanse(raw.data(), raw.size());
    throw std::runtime_error("token cipher: encryption failed");
  }
  return std::string(kSealedPrefix) + to_base64(raw);
}

std::optional<std::string> TokenCipher::open(std::string_view sealed, std::string_view associated_data) const {
  if (!is_sealed(sealed)) return std::nullopt;
  auto raw = from_base64(sealed.substr(kSealedPrefix.size()));
  if (!raw || raw->size() < kTokenNonceBytes + kTokenTagBytes) return std::nullopt;
  const std::size_t text_size = raw->size() - kTokenNonceBytes - kTokenTagBytes;
  if (!fits_int(text_size) || !fits_int(associated_data.size())) return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
  unsigned char tag[kTokenTagBytes];
  std::copy(in + kTokenNonceBytes + text_size, in + raw->size(), tag);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string plain(text_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kTokenNonceBytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_.data(), in) == 1;
  if (ok && !associated_data.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                           static_cast<int>(associated_data.size())) == 1;
  }
  int written = 0;
  if (ok && text_size > 0) {
    ok = EVP_DecryptUpdate(ctx.get(), out, &len, in + kTokenNonceBytes, static_cast<int>(text_size)) == 1;
    written = len;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTokenTagBytes), tag) == 1;
  // The tag is checked here; a mismatch fails and nothing decrypted is returned.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), out + written, &len) == 1;
  OPENSSL_cleanse(raw->data(), raw->size());
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }
  return plain;
}

}  // namespace onair::stream::security
