#pragma once
// Checkpoints of an audience pool (issue 4: the pool lives in memory and is
// checkpointed to Redis or the durable store so another node resumes it). A
// compact binary blob: a header, the columns as they are in memory
// (little-endian), real-derived TTLs, the session's Rng state, and the state
// hash, which decode() verifies. The reservoir is not included: it belongs to
// the game service and is passed back in.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/rng.hpp"

namespace onair::showtime {

std::string encode_pool(const AudiencePool& pool, const Rng* rng = nullptr);

struct DecodedPool {
  AudiencePool pool;
  std::optional<Rng::State> rng;
};
// Throws std::invalid_argument for a blob that is truncated, of another
// format version, or whose content does not match its hash.
DecodedPool decode_pool(std::string_view blob, std::shared_ptr<const Reservoir> reservoir);

}  // namespace onair::showtime
