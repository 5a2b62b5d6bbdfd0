#include "stream/sentiment/key_table.hpp"

namespace onair::stream::sentiment {

namespace {

// At least four times as many slots as keys, a power of two, and 64 at least:
// at a load of 1/2 the bench corpus's hits took 1.6 probes, at 1/4 (and short
// keys inserted first, lexicon.cpp) 1.1.
std::size_t slots_for(std::size_t keys) {
  std::size_t size = 64;
  while (size < 4 * keys) size *= 2;
  return size;
}

}  // namespace

KeyTable::KeyTable(std::size_t keys) : slots_(slots_for(keys) + 1), mask_(slots_for(keys) - 1) {}

Slot& KeyTable::insert(std::string_view key) {
  // hash_bytes() reads kKeyPadding bytes past short keys: hash a padded, folded copy.
  std::string folded(key);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  folded.append(kKeyPadding, '\0');
  return insert(key, hash_bytes(folded.data(), key.size()));
}

Slot& KeyTable::insert(std::string_view key, std::uint64_t h) {
  std::size_t i = h & mask_;
  while (slots_[i].key_len != 0) i = (i + 1) & mask_;
  Slot& s = slots_[i];
  s.hash = std::uint32_t(h >> 32);
  s.key_len = std::uint16_t(key.size());
  if (key.size() <= kInlineKey) {
    std::memcpy(s.key, key.data(), key.size());
  } else {
    if (long_keys_.empty()) long_keys_.assign(kKeyPadding, '\0');
    const auto offset = std::uint32_t(long_keys_.size() - kKeyPadding);
    std::memcpy(s.key, &offset, sizeof offset);
    long_keys_.replace(offset, kKeyPadding, key);
    long_keys_.append(kKeyPadding, '\0');
  }
  filter_.add(h);
  return s;
}

}  // namespace onair::stream::sentiment
