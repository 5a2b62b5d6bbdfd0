#pragma once
// String interning for the engine's opaque names: personality types
// ("loyal", "fickle", ... — opaque strings chosen by each game, SHOWTIME.md
// quirk 1) become a PersonalityId, content/interest tags a TagId whose bit is
// used in 64-bit masks. Ids are given in insertion order, so the same
// sequence of names gives the same ids on every node.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "showtime/engine/types.hpp"

namespace onair::showtime {

class Interner {
 public:
  explicit Interner(std::size_t capacity) : capacity_(capacity) {}

  // The id of `name`, adding it when new; nullopt when the table is full or
  // the name is empty.
  std::optional<std::size_t> intern(std::string_view name);
  std::optional<std::size_t> find(std::string_view name) const;
  std::string_view name(std::size_t id) const;  // "" for an unknown id
  std::size_t size() const noexcept { return names_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }
  const std::vector<std::string>& names() const noexcept { return names_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::size_t capacity_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> ids_;
};

// Personality types of one game service (at most 256).
class PersonalityTable {
 public:
  std::optional<PersonalityId> intern(std::string_view name);
  std::optional<PersonalityId> find(std::string_view name) const;
  std::string_view name(PersonalityId id) const { return table_.name(id); }
  std::size_t size() const noexcept { return table_.size(); }

 private:
  Interner table_{kMaxPersonalities};
};

// The tag vocabulary of one game service (at most 64 tags: one bit each).
class TagVocabulary {
 public:
  std::optional<TagId> intern(std::string_view name);
  std::optional<TagId> find(std::string_view name) const;
  std::string_view name(TagId id) const { return table_.name(id); }
  std::size_t size() const noexcept { return table_.size(); }

  // Mask of the given names; unknown names are interned when `add` is true and
  // otherwise (or when the vocabulary is full) reported through `unknown`.
  TagMask mask_of(const std::vector<std::string>& names, bool add, std::vector<std::string>* unknown = nullptr);
  std::vector<std::string> names_of(TagMask mask) const;

 private:
  Interner table_{kMaxTags};
};

}  // namespace onair::showtime
