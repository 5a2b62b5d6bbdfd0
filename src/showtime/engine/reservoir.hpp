#pragma once
// The reservoir of pre-generated audience member templates (SHOWTIME.md
// "Audience Lifecycle" 1 and 3): pools are filled from it at session start,
// and members who leave are replaced by new ones "attracted by current content
// tags". Templates are immutable and shared by the pools of a game service;
// drawing one instantiates a new member, so leaving members simply vanish
// ("return to the reservoir").
#include <cstdint>
#include <string>
#include <vector>

#include "showtime/engine/content_tags.hpp"
#include "showtime/engine/interner.hpp"
#include "showtime/engine/rng.hpp"
#include "showtime/engine/types.hpp"

namespace onair::showtime {

struct MemberTemplate {
  TagMask interests = 0;
  Engagement decay = 0;  // per-tick decay on mismatch, engagement units
  PersonalityId personality = 0;
  Sentiment bias = Sentiment::excited;
  std::uint16_t weight = 1;  // popularity among templates (0 = never drawn)
};

class Reservoir {
 public:
  Reservoir() = default;
  explicit Reservoir(std::vector<MemberTemplate> templates);

  void add(const MemberTemplate& t);
  std::size_t size() const noexcept { return templates_.size(); }
  bool empty() const noexcept { return templates_.empty(); }
  // Some template can be drawn (a popularity above 0).
  bool drawable() const noexcept { return !popularity_.empty() && popularity_.back() > 0; }
  const MemberTemplate& operator[](std::size_t i) const { return templates_[i]; }
  const std::vector<MemberTemplate>& templates() const noexcept { return templates_; }

  // A template with probability weight / total weight (drawable() must hold):
  // Walker/Vose alias table in integers, O(1); one Rng::below when all
  // templates weigh the same.
  std::uint32_t draw_by_popularity(Rng& rng) const {
    const auto i = static_cast<std::uint32_t>(rng.below(templates_.size()));
    if (uniform_) return i;
    return rng.below(popularity_.back()) < alias_prob_[i] ? i : alias_[i];
  }
  std::uint64_t total_popularity() const noexcept { return popularity_.empty() ? 0 : popularity_.back(); }
  // Popularity of the templates interested in `tag`, and a draw among them.
  std::uint64_t tag_mass(TagId tag) const noexcept {
    return by_tag_[tag].cumulative.empty() ? 0 : by_tag_[tag].cumulative.back();
  }
  std::uint32_t draw_with_tag(TagId tag, Rng& rng) const;

 private:
  void index(std::uint32_t i);
  void build_alias();

  struct TagIndex {
    std::vector<std::uint32_t> templates;
    std::vector<std::uint64_t> cumulative;  // popularity
  };
  std::vector<MemberTemplate> templates_;
  std::array<TagIndex, kMaxTags> by_tag_;
  std::vector<std::uint64_t> popularity_;  // cumulative weights
  std::vector<std::uint64_t> alias_prob_;  // in units of 1 / total weight
  std::vector<std::uint32_t> alias_;
  bool uniform_ = true;
};

// Draws templates for the current content with probability proportional to
//   popularity * (mismatch_q + score(interests))
// (score from InterestMatcher, mismatch_q the mismatch weight in the same
// units), exactly and without a table over the templates: the score is a sum
// over content tags, so the distribution is a mixture of "by popularity"
// (weight mismatch_q * total popularity) and, per content tag t, "a template
// having t, by popularity" (weight q[t] * popularity mass of t). Drawing the
// mixture component then a template from it is O(content tags + log n).
// Build one per content (cheap: a pass over the content tags, not the
// templates). When nothing has weight (no template matches and mismatch_q is
// 0) it draws by popularity.
class ContentDraw {
 public:
  ContentDraw() = default;
  ContentDraw(const Reservoir& reservoir, const InterestMatcher& matcher, std::uint32_t mismatch_q);
  std::uint32_t draw(const Reservoir& reservoir, Rng& rng) const;

 private:
  std::uint64_t by_popularity_ = 0;  // mismatch_q * total popularity
  std::uint64_t total_ = 0;
  std::uint8_t tag_count_ = 0;
  std::array<TagId, kMaxTags> tags_{};
  std::array<std::uint64_t, kMaxTags> cumulative_{};  // after by_popularity_
};

// Generation of a reservoir for a game service (and for tests, benchmarks and
// `onair simulate`). Integer arithmetic after the spec's numbers are converted,
// so the same spec and seed give the same templates everywhere.
struct PersonalityProfile {
  std::string name;
  double share = 1.0;             // relative frequency among templates
  double decay_multiplier = 1.0;  // times the base decay rate
  std::uint8_t min_interests = 1;
  std::uint8_t max_interests = 3;
  std::array<double, kSentimentCount> bias_weights{1.0};  // default: always Excited
};

struct ReservoirSpec {
  std::size_t templates = 4096;
  std::vector<PersonalityProfile> personalities;
  std::vector<double> tag_popularity;  // by TagId; its size is the number of tags used
  double decay_base_rate = 0.02;       // EngagementDecayBaseRate / SHOWTIME_ENGAGEMENT_DECAY_BASE_RATE
  double decay_jitter = 0.25;          // +/- share of the decay rate, uniform
};

// Interns the profiles' names into `personalities`. Throws std::invalid_argument
// for an empty spec (no personalities, no tags) or a full personality table.
Reservoir generate_reservoir(const ReservoirSpec& spec, PersonalityTable& personalities, Rng& rng);

}  // namespace onair::showtime
