#include "stream/sentiment/events.hpp"

#include <algorithm>
#include <cmath>

namespace onair::stream::sentiment {

namespace {

// base + span * min(1, log10(amount) / decades): 1 -> base, 10^decades and above -> base + span.
float scaled(std::uint32_t amount, float base, float span, float decades) noexcept {
  const double a = std::max<std::uint32_t>(amount, 1);
  const double t = std::min(1.0, std::log10(a) / double(decades));
  return std::clamp(float(base + span * t), 0.0f, 1.0f);
}

}  // namespace

Sentiment classify_event(PlatformEvent e) noexcept {
  switch (e.type) {
    case EventType::follow:
      return {Category::supportive, 0.35f, 1};
    case EventType::sub: {
      const auto tier = std::clamp<std::uint32_t>(e.amount, 1, 3);
      return {Category::supportive, 0.55f + 0.1f * float(tier - 1), 1};
    }
    case EventType::resub:  // 1 month 0.5 .. 100 months 0.9
      return {Category::supportive, scaled(e.amount, 0.5f, 0.4f, 2.0f), 1};
    case EventType::gift:  // 1 gift 0.5, 10 gifts 0.75, 100+ gifts 1.0
      return {Category::excited, scaled(e.amount, 0.5f, 0.5f, 2.0f), 1};
    case EventType::cheer:       // 1 bit 0.3 .. 10000 bits 1.0; Excited from 100 bits
    case EventType::super_chat:  // 1 cent ~ 1 bit
      return {e.amount < 100 ? Category::supportive : Category::excited, scaled(e.amount, 0.3f, 0.7f, 4.0f), 1};
    case EventType::raid:  // 1 viewer 0.4, 1000+ viewers 1.0
      return {Category::excited, scaled(e.amount, 0.4f, 0.6f, 3.0f), 1};
  }
  return {Category::curious, 0.0f, 0};
}

}  // namespace onair::stream::sentiment
