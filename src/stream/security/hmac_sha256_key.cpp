#include "stream/security/hmac_sha256_key.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace onair::stream::security {
namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};

EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw std::runtime_error("HMAC-SHA256: HMAC is unavailable");
  return mac.get();
}

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) : keyed_(EVP_MAC_CTX_new(hmac_algorithm())) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it (null means "keep the key").
  static const unsigned char kEmpty = 0;
  const auto* bytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (!keyed_ || EVP_MAC_init(keyed_, bytes, key.size(), params) != 1) {
    EVP_MAC_CTX_free(keyed_);
    throw std::runtime_error("HMAC-SHA256: cannot key the context");
  }
}

HmacSha256Key::~HmacSha256Key() {
  for (auto* ctx : idle_) EVP_MAC_CTX_free(ctx);  // frees wipe the keyed state
  EVP_MAC_CTX_free(keyed_);
}

EVP_MAC_CTX* HmacSha256Key::acquire() const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto* ctx = idle_.back();
      idle_.pop_back();
      return ctx;
    }
  }
  // One per thread that ever computes at the same time; each stays keyed.
  auto* ctx = EVP_MAC_CTX_dup(keyed_);
  if (!ctx) throw std::runtime_error("HMAC-SHA256: cannot copy the keyed context");
  return ctx;
}

void HmacSha256Key::release(EVP_MAC_CTX* ctx) const noexcept {
  try {
    std::lock_guard lock(mutex_);
    idle_.push_back(ctx);
  } catch (...) {
    EVP_MAC_CTX_free(ctx);
  }
}

HmacSha256Key::Digest HmacSha256Key::mac(std::initializer_list<std::string_view> parts) const {
  auto* ctx = acquire();
  // A null key resets the context to its keyed initial state (no digest fetch, no key hashing).
  bool ok = EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1;
  for (auto part : parts) {
    if (!ok) break;
    if (!part.empty()) ok = EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
  }
  Digest out{};
  std::size_t len = 0;
  ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
  if (!ok) {
    EVP_MAC_CTX_free(ctx);  // state unknown: not back into the pool
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  release(ctx);
  return out;
}

}  // namespace onair::stream::security
