#include "stream/sentiment/category.hpp"

namespace onair::stream::sentiment {

namespace {
constexpr std::array<std::string_view, kCategoryCount> kNames = {"Excited",   "Supportive", "Critical", "Curious",
                                                                 "Surprised", "Amused",     "Bored",    "Hostile"};

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
}  // namespace

std::string_view to_string(Category c) noexcept { return kNames[static_cast<std::size_t>(c) & 7u]; }

std::optional<Category> parse_category(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    const auto expected = kNames[i];
    if (name.size() != expected.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < name.size() && same; ++k) same = lower(name[k]) == lower(expected[k]);
    if (same) return static_cast<Category>(i);
  }
  return std::nullopt;
}

}  // namespace onair::stream::sentiment
