#pragma once
// The engine's own pseudo-random generator: xoshiro256** seeded through
// splitmix64 (Blackman & Vigna). Every random decision of the audience engine
// goes through it with integer arithmetic only, so a session replays bit for
// bit on any compiler, standard library and CPU (std::*_distribution outputs
// differ between libraries; floating point may be contracted differently).
#include <array>
#include <cstdint>

namespace onair::showtime {

__extension__ typedef unsigned __int128 Uint128;  // -Wpedantic: __int128 is a GNU extension

// splitmix64's finaliser: a bijection on 64-bit words (distinct inputs give
// distinct outputs), used for seeding and for member ids.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  void reseed(std::uint64_t seed) noexcept {
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = mix64(seed);
    }
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound) for bound > 0 (Lemire's multiply-shift with
  // rejection: exact, and the same on every platform). below(0) is 0.
  std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    Uint128 m = static_cast<Uint128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<Uint128>(next()) * bound;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // True with probability threshold / 2^64 (see probability_threshold()).
  bool chance(std::uint64_t threshold) noexcept { return next() < threshold; }

  const State& state() const noexcept { return s_; }
  void set_state(const State& state) noexcept { s_ = state; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  State s_{};
};

// The 64-bit threshold for Rng::chance; p is clamped to [0, 1] and converted
// once (a single multiplication, so no platform can fuse it differently).
inline std::uint64_t probability_threshold(double p) noexcept {
  if (!(p > 0.0)) return 0;
  if (p >= 1.0) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(p * 18446744073709551616.0);  // p * 2^64 < 2^64
}

}  // namespace onair::showtime
