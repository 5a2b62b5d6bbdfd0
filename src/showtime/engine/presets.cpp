#include "showtime/engine/presets.hpp"

#include <algorithm>

namespace onair::showtime {

namespace {

constexpr std::array<GameEventTags, 7> kEventTags = {{
    {"combat_encounter", {"combat", "action", "danger"}},
    {"item_crafting", {"crafting", "creation", "skill"}},
    {"social_interaction", {"social", "drama", "roleplay"}},
    {"exploration", {"exploration", "discovery", "adventure"}},
    {"trade", {"economy", "trade", "strategy"}},
    {"world_first", {"worldfirst", "historic", "unique"}},
    {"boss_defeat", {"combat", "achievement", "epic"}},
}};

std::array<double, kSentimentCount> bias(double excited, double supportive, double critical, double curious,
                                         double surprised, double amused, double bored, double hostile) {
  return {excited, supportive, critical, curious, surprised, amused, bored, hostile};
}

}  // namespace

std::span<const GameEventTags> default_game_event_tags() noexcept { return kEventTags; }

TagMask tags_for_event(std::string_view event, TagVocabulary& vocabulary) {
  for (const auto& e : kEventTags) {
    if (e.event != event) continue;
    TagMask mask = 0;
    for (auto tag : e.tags) {
      if (auto id = vocabulary.intern(tag)) mask |= TagMask{1} << *id;
    }
    return mask;
  }
  return 0;
}

std::vector<std::string_view> default_tag_names() {
  std::vector<std::string_view> names;
  for (const auto& e : kEventTags) {
    for (auto tag : e.tags) {
      if (std::find(names.begin(), names.end(), tag) == names.end()) names.push_back(tag);
    }
  }
  return names;
}

std::vector<PersonalityPreset> default_personalities() {
  std::vector<PersonalityPreset> out;
  // name, share, decay multiplier, interests min..max, bias weights; weights: gain, decay, churn.
  out.push_back({{"loyal", 3.0, 0.5, 1, 3, bias(3, 4, 0.5, 1, 1, 1, 0.2, 0)}, {1.0, 0.5, 0.5}});
  out.push_back({{"fickle", 3.0, 2.0, 1, 2, bias(2, 0.5, 1, 2, 1, 2, 2, 0.2)}, {1.3, 1.5, 2.0}});
  out.push_back({{"lurker", 2.0, 0.5, 1, 3, bias(0.5, 1, 0.5, 3, 1, 1, 1, 0)}, {0.5, 0.5, 0.7}});
  out.push_back({{"enthusiast", 1.5, 1.0, 2, 4, bias(6, 2, 0, 0.5, 2, 2, 0, 0)}, {1.5, 1.0, 1.0}});
  out.push_back({{"critic", 0.5, 1.0, 1, 2, bias(0.5, 0.5, 4, 1, 1, 0.5, 1, 1)}, {0.8, 1.2, 1.0}});
  return out;
}

AudienceContext make_default_context(std::uint64_t seed, std::size_t templates, double decay_base_rate) {
  AudienceContext ctx;
  ReservoirSpec spec;
  spec.templates = templates;
  spec.decay_base_rate = decay_base_rate;
  const auto names = default_tag_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    ctx.tags.intern(names[i]);
    // Broad tags are more common interests than rare ones.
    spec.tag_popularity.push_back(i < 6 ? 3.0 : (i < 14 ? 2.0 : 1.0));
  }
  const auto presets = default_personalities();
  for (const auto& p : presets) spec.personalities.push_back(p.profile);
  Rng rng(seed);
  ctx.reservoir = std::make_shared<const Reservoir>(generate_reservoir(spec, ctx.personalities, rng));
  ctx.personality_weights.resize(ctx.personalities.size());
  for (const auto& p : presets) {
    if (auto id = ctx.personalities.find(p.profile.name)) ctx.personality_weights[*id] = p.weights;
  }
  return ctx;
}

}  // namespace onair::showtime
