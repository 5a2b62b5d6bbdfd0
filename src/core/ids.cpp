#include "core/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace onair {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void fill_random(unsigned char* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

// Ids are drawn often (every event has one): take OpenSSL's CSPRNG output a
// block at a time per thread instead of a locked call per id.
void fill_random_buffered(unsigned char* out, std::size_t n) {
  thread_local std::array<unsigned char, 4096> block;
  thread_local std::size_t used = block.size();
  if (n > block.size()) return fill_random(out, n);
  if (block.size() - used < n) {
    fill_random(block.data(), block.size());
    used = 0;
  }
  std::memcpy(out, block.data() + used, n);
  OPENSSL_cleanse(block.data() + used, n);  // handed-out bytes do not linger
  used += n;
}

}  // namespace

std::string new_uuid() {
  std::array<unsigned char, 16> b{};
  fill_random_buffered(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0x0f]);
  }
  return s;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  fill_random(b.data(), b.size());
  std::string s;
  s.reserve(bytes * 2);
  for (unsigned char c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 0x0f]);
  }
  return s;
}

namespace {
constexpr auto kIsHexDigit = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'F'; ++c) table[c] = true;
  return table;
}();
}  // namespace

bool is_uuid(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return false;
  // Checked on every id of every request: a table and no branch per character.
  bool hex = true;
  for (std::size_t i = 0; i < 36; ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    hex &= dash_position || kIsHexDigit[static_cast<unsigned char>(t[i])];
  }
  return hex;
}

std::string new_request_id() {
  static const std::string prefix = random_hex(4);
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t n = ++counter;
  std::string id = prefix;
  // At least 8 hex digits of the counter, more once it outgrows them.
  int digits = 8;
  while (digits < 16 && (n >> (4 * digits)) != 0) ++digits;
  for (int i = digits - 1; i >= 0; --i) id.push_back(kHex[(n >> (4 * i)) & 0x0f]);
  return id;
}

}  // namespace onair
