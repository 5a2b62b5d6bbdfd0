#pragma once
// Platform events -> category and intensity (the event table of docs/sentiment.md).
// Amounts raise the intensity monotonically and saturate.
#include <cstdint>

#include "stream/sentiment/classifier.hpp"

namespace onair::stream::sentiment {

enum class EventType : std::uint8_t {
  follow,      // amount unused
  sub,         // amount: tier 1..3 (Twitch tier 1000/2000/3000 -> 1/2/3; YouTube membership -> 1)
  resub,       // amount: cumulative months
  gift,        // amount: number of gifted subs
  cheer,       // amount: bits
  raid,        // amount: viewers brought
  super_chat,  // amount: US cents (YouTube Super Chat / Super Sticker)
};

struct PlatformEvent {
  EventType type = EventType::follow;
  std::uint32_t amount = 0;
};

Sentiment classify_event(PlatformEvent event) noexcept;

}  // namespace onair::stream::sentiment
