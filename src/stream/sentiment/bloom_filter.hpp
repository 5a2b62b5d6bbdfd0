#pragma once
// Internal: a one-bit-per-key Bloom filter over 64-bit key hashes: 8 KB
// (stays in L1), bit (hash >> 48) of 65,536; no false negatives, about 2% false
// positives for ~1,400 keys (a false positive only costs a table probe). One
// load and one shift: testing is on every token's path. It uses the top 16 bits
// of the hash, which the tables' slot index (the low bits) does not.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace onair::stream::sentiment::detail {

class BloomFilter {
 public:
  void add(std::uint64_t hash) noexcept { words_[hash >> 54] |= 1ull << ((hash >> 48) & 63); }
  // False: no key added had this hash. True: probably one did.
  bool test(std::uint64_t hash) const noexcept { return bit(hash) != 0; }
  // The same as 0 or 1, for arithmetic without a branch.
  std::uint64_t bit(std::uint64_t hash) const noexcept { return (words_[hash >> 54] >> ((hash >> 48) & 63)) & 1; }

 private:
  std::vector<std::uint64_t> words_ = std::vector<std::uint64_t>(1024);
};

}  // namespace onair::stream::sentiment::detail
