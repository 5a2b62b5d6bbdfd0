#include "stream/sentiment/key_table.hpp"

namespace onair::stream::sentiment {

namespace {

// At least twice as many slots as keys (a load of at most 1/2 keeps almost every
// key in its home slot or the next one), a power of two, and 64 at least.
std::size_t slots_for(std::size_t keys) {
  std::size_t size = 64;
  while (size < 2 * keys) size *= 2;
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
  const std::uint64_t h = hash_bytes(folded.data(), key.size());
  std::size_t i = h & mask_;
  while (slots_[i].key_len != 0) i = (i + 1) & mask_;
  Slot& s = slots_[i];
  s.hash = std::uint32_t(h >> 32);
  s.key_len = std::uint16_t(key.size());
  if (key.size() <= kInlineKey) {
    std::memcpy(s.key, key.data(), key.size());
  } else {
    const auto offset = std::uint32_t(long_keys_.size());
    std::memcpy(s.key, &offset, sizeof offset);
    long_keys_.append(key);
  }
  filter_.add(h);
  return s;
}

}  // namespace onair::stream::sentiment
