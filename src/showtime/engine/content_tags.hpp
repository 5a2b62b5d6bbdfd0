#pragma once
// What the stream is showing right now: a set of content tags, each with a
// weight (how prominent it is, 0..1). Tags are derived from game events
// (SHOWTIME.md "Interest Matching Algorithm": a combat encounter raises
// combat/action/danger) and fade when nothing refreshes them, so an audience
// reacts to what is happening, not to what happened an hour ago.
//
// InterestMatcher turns content tags and the per-tag weights of the game
// service into the form the tick evaluates per member: the weighted match
// score of an interest mask is a sum of popcounts over at most 8 bit planes.
#include <array>
#include <cstdint>

#include "showtime/engine/types.hpp"

namespace onair::showtime {

class ContentTags {
 public:
  static constexpr std::uint8_t kFull = 255;  // weight 1.0

  // Weight in 0..1 (0 removes the tag).
  void set(TagId tag, double weight);
  void remove(TagId tag) { set(tag, 0.0); }
  void clear() noexcept;
  // A game event: every tag of `tags` rises to at least `weight`.
  void raise(TagMask tags, double weight = 1.0);
  // Every weight loses `amount` (0..1, at least one unit when > 0); tags that
  // reach 0 leave the set. Call once per tick for freshness.
  void fade(double amount);

  TagMask mask() const noexcept { return mask_; }
  bool empty() const noexcept { return mask_ == 0; }
  std::uint8_t raw_weight(TagId tag) const noexcept { return tag < kMaxTags ? weights_[tag] : 0; }
  double weight(TagId tag) const noexcept { return raw_weight(tag) / 255.0; }
  std::uint64_t fingerprint() const noexcept;

 private:
  TagMask mask_ = 0;
  std::array<std::uint8_t, kMaxTags> weights_{};
};

using TagWeights = std::array<double, kMaxTags>;
TagWeights uniform_tag_weights(double w = 1.0);

// Weighted interest matching, quantised: each content tag t gets an effective
// weight tag_weight[t] * content_weight[t], scaled so the largest is 128, and
// score(interests) = sum over matched tags of those quantised weights, i.e.
// sum_k popcount(interests & plane[k]) << shift[k]. Uniform weights need one
// plane (one AND + one POPCNT per member).
struct InterestMatcher {
  static constexpr std::uint32_t kUnit = 128;  // quantised weight of the heaviest tag

  std::array<TagMask, 8> planes{};
  std::array<std::uint8_t, 8> shifts{};
  std::uint8_t plane_count = 0;
  double unit_weight = 0.0;  // real weight of one score unit (heaviest effective weight / 128)
  std::uint64_t fingerprint = 0;

  static InterestMatcher build(const ContentTags& content, const TagWeights& tag_weights);

  std::uint32_t score(TagMask interests) const noexcept {
    std::uint32_t s = 0;
    for (std::uint8_t k = 0; k < plane_count; ++k) {
      s += static_cast<std::uint32_t>(__builtin_popcountll(interests & planes[k])) << shifts[k];
    }
    return s;
  }
  bool empty() const noexcept { return plane_count == 0; }
};

}  // namespace onair::showtime
