#include "showtime/engine/interner.hpp"

namespace onair::showtime {

std::optional<std::size_t> Interner::intern(std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  if (names_.size() >= capacity_) return std::nullopt;
  const std::size_t id = names_.size();
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

std::optional<std::size_t> Interner::find(std::string_view name) const {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  return std::nullopt;
}

std::string_view Interner::name(std::size_t id) const { return id < names_.size() ? names_[id] : std::string_view{}; }

std::optional<PersonalityId> PersonalityTable::intern(std::string_view name) {
  auto id = table_.intern(name);
  if (!id) return std::nullopt;
  return static_cast<PersonalityId>(*id);
}

std::optional<PersonalityId> PersonalityTable::find(std::string_view name) const {
  auto id = table_.find(name);
  if (!id) return std::nullopt;
  return static_cast<PersonalityId>(*id);
}

std::optional<TagId> TagVocabulary::intern(std::string_view name) {
  auto id = table_.intern(name);
  if (!id) return std::nullopt;
  return static_cast<TagId>(*id);
}

std::optional<TagId> TagVocabulary::find(std::string_view name) const {
  auto id = table_.find(name);
  if (!id) return std::nullopt;
  return static_cast<TagId>(*id);
}

TagMask TagVocabulary::mask_of(const std::vector<std::string>& names, bool add, std::vector<std::string>* unknown) {
  TagMask mask = 0;
  for (const auto& n : names) {
    auto id = add ? intern(n) : find(n);
    if (id) {
      mask |= TagMask{1} << *id;
    } else if (unknown) {
      unknown->push_back(n);
    }
  }
  return mask;
}

std::vector<std::string> TagVocabulary::names_of(TagMask mask) const {
  std::vector<std::string> out;
  while (mask) {
    const int t = __builtin_ctzll(mask);
    mask &= mask - 1;
    out.emplace_back(name(static_cast<TagId>(t)));
  }
  return out;
}

}  // namespace onair::showtime
