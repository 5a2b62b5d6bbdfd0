#include "showtime/engine/content_tags.hpp"

#include <algorithm>
#include <cmath>

#include "showtime/engine/rng.hpp"

namespace onair::showtime {

namespace {

std::uint8_t to_unit255(double w) {
  if (!(w > 0.0)) return 0;
  if (w >= 1.0) return ContentTags::kFull;
  return static_cast<std::uint8_t>(std::max(1L, std::lround(w * 255.0)));
}

}  // namespace

void ContentTags::set(TagId tag, double weight) {
  if (tag >= kMaxTags) return;
  const std::uint8_t w = to_unit255(weight);
  weights_[tag] = w;
  if (w) {
    mask_ |= TagMask{1} << tag;
  } else {
    mask_ &= ~(TagMask{1} << tag);
  }
}

void ContentTags::clear() noexcept {
  mask_ = 0;
  weights_.fill(0);
}

void ContentTags::raise(TagMask tags, double weight) {
  const std::uint8_t w = to_unit255(weight);
  if (!w) return;
  while (tags) {
    const int t = __builtin_ctzll(tags);
    tags &= tags - 1;
    weights_[t] = std::max(weights_[t], w);
    mask_ |= TagMask{1} << t;
  }
}

void ContentTags::fade(double amount) {
  const std::uint8_t step = to_unit255(amount);
  if (!step) return;
  TagMask m = mask_;
  while (m) {
    const int t = __builtin_ctzll(m);
    m &= m - 1;
    if (weights_[t] <= step) {
      weights_[t] = 0;
      mask_ &= ~(TagMask{1} << t);
    } else {
      weights_[t] = static_cast<std::uint8_t>(weights_[t] - step);
    }
  }
}

std::uint64_t ContentTags::fingerprint() const noexcept {
  std::uint64_t h = mix64(mask_ ^ 0xc0ffee);
  TagMask m = mask_;
  while (m) {
    const int t = __builtin_ctzll(m);
    m &= m - 1;
    h = mix64(h ^ (std::uint64_t(t) << 8 | weights_[t]));
  }
  return h;
}

TagWeights uniform_tag_weights(double w) {
  TagWeights out;
  out.fill(w);
  return out;
}

InterestMatcher InterestMatcher::build(const ContentTags& content, const TagWeights& tag_weights) {
  InterestMatcher m;
  std::array<double, kMaxTags> eff{};
  double max_eff = 0.0;
  TagMask mask = content.mask();
  while (mask) {
    const int t = __builtin_ctzll(mask);
    mask &= mask - 1;
    const double tw = std::clamp(tag_weights[t], 0.0, 1e6);
    eff[t] = tw * content.weight(static_cast<TagId>(t));
    max_eff = std::max(max_eff, eff[t]);
  }
  m.fingerprint = mix64(content.fingerprint());
  if (!(max_eff > 0.0)) return m;

  std::array<TagMask, 8> bits{};
  mask = content.mask();
  while (mask) {
    const int t = __builtin_ctzll(mask);
    mask &= mask - 1;
    // q in 0..128: the heaviest tag is exactly 128 (a single bit plane).
    const auto q = static_cast<std::uint32_t>(std::lround(eff[t] / max_eff * double(kUnit)));
    for (unsigned k = 0; k < 8; ++k) {
      if (q & (1u << k)) bits[k] |= TagMask{1} << t;
    }
    m.fingerprint = mix64(m.fingerprint ^ (std::uint64_t(t) << 16 | q));
  }
  for (unsigned k = 0; k < 8; ++k) {
    if (!bits[k]) continue;
    m.planes[m.plane_count] = bits[k];
    m.shifts[m.plane_count] = static_cast<std::uint8_t>(k);
    ++m.plane_count;
  }
  m.unit_weight = max_eff / double(kUnit);
  return m;
}

}  // namespace onair::showtime
