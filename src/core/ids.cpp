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

bool is_uuid(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return false;
  // Checked on every id of every request: the 32 digits gathered, then 16 at a time as vectors
  // (GCC/Clang vector extension; SSE2 on x86-64, plain code elsewhere).
  using Bytes16 = unsigned char __attribute__((vector_size(16)));
  unsigned char digits[32];
  std::memcpy(digits, t.data(), 8);
  std::memcpy(digits + 8, t.data() + 9, 4);
  std::memcpy(digits + 12, t.data() + 14, 4);
  std::memcpy(digits + 16, t.data() + 19, 4);
  std::memcpy(digits + 20, t.data() + 24, 12);
  bool hex = true;
  for (int half = 0; half < 2; ++half) {
    Bytes16 v;
    std::memcpy(&v, digits + 16 * half, 16);
    const Bytes16 lower = v | 0x20;  // 'A'-'F' -> 'a'-'f' (and digits unchanged: '0'-'9' have the bit)
    const auto ok = ((v >= '0') & (v <= '9')) | ((lower >= 'a') & (lower <= 'f'));
    std::uint64_t words[2];
    std::memcpy(words, &ok, 16);
    hex &= (words[0] & words[1]) == ~std::uint64_t{0};
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
