#pragma once
// One audience tick (SHOWTIME.md AudienceTickWorker, every
// AudienceTickIntervalSeconds): interest matching raises engagement, mismatch
// decays it, follower candidacy is re-evaluated, disengaged members churn out
// and are replaced from the reservoir by current content, real-derived members
// whose TTL ran out leave, and a pool below its target refills. The report
// carries the dashboard's aggregates (computed during the pass) and the
// events the service publishes.
//
// Deterministic: the same pool state, content, params and Rng state give the
// same result on every platform and with either kernel.
#include <cstdint>
#include <vector>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/content_tags.hpp"
#include "showtime/engine/rng.hpp"

namespace onair::showtime {

struct TickReport {
  std::uint32_t tick = 0;  // pool.now() after this tick
  // The audience after the tick.
  std::uint32_t size = 0;
  std::uint32_t simulated = 0;
  std::uint32_t real_derived = 0;  // admin-only
  std::uint32_t engaged = 0;       // engagement > engaged_threshold
  std::uint32_t disengaged = 0;    // engagement < disengaged_threshold
  std::uint32_t candidates = 0;    // members meeting the follower thresholds
  double mean_engagement = 0.0;
  // What happened during the tick.
  std::uint32_t joined = 0;                   // replacements and refills from the reservoir
  std::uint32_t left = 0;                     // churned out
  std::uint32_t expired = 0;                  // real-derived members whose TTL ran out
  SentimentCounts reactions{};                // simulated high-intensity reactions, by sentiment (feed the hype train)
  std::vector<MemberId> new_candidates;       // became follower candidates this tick
  std::vector<MemberId> departed_candidates;  // candidates who left this tick (churn or TTL)
  TickKernel kernel = TickKernel::scalar;     // which kernel ran
};

TickReport tick(AudiencePool& pool, const ContentTags& content, const AudienceParams& params, Rng& rng);

}  // namespace onair::showtime
