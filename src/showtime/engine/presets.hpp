#pragma once
// Ready-made audience material for a game service that configures nothing
// (and for tests, benchmarks and `onair simulate`): the content tags of
// SHOWTIME.md's game-event table, a handful of personality types with their
// weights, and a reservoir generated from them.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/interner.hpp"
#include "showtime/engine/reservoir.hpp"

namespace onair::showtime {

// SHOWTIME.md "Interest Matching Algorithm": game event -> content tags.
struct GameEventTags {
  std::string_view event;
  std::array<std::string_view, 3> tags;
};
std::span<const GameEventTags> default_game_event_tags() noexcept;
// The event's tags as a mask (interned into `vocabulary`); 0 for an unknown event.
TagMask tags_for_event(std::string_view event, TagVocabulary& vocabulary);

// The tags of that table, each once, in table order (20 tags).
std::vector<std::string_view> default_tag_names();

// loyal, fickle, lurker, enthusiast, critic.
struct PersonalityPreset {
  PersonalityProfile profile;
  PersonalityWeights weights;
};
std::vector<PersonalityPreset> default_personalities();

// Everything a game service's pools share.
struct AudienceContext {
  TagVocabulary tags;
  PersonalityTable personalities;
  std::shared_ptr<const Reservoir> reservoir;
  std::vector<PersonalityWeights> personality_weights;  // by PersonalityId, for AudienceParams
};
// The reservoir seed of a game service (FNV-1a of its id): every node and `onair simulate` draw the same audience.
inline std::uint64_t game_service_seed(std::string_view game_service_id) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : game_service_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

AudienceContext make_default_context(std::uint64_t seed, std::size_t templates = 4096, double decay_base_rate = 0.02);

}  // namespace onair::showtime
