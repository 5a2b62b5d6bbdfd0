#pragma once
// Checkpoints of a LiveSession: the pool and its Rng (engine pool_codec) plus
// everything around them a resumed session needs to continue exactly (tag
// names, content weights, the hype train's state, tracked viewers, counters).
// Text-safe (base64url), so it fits a Redis string and a SQL text column
// alike. Pure.
#include <memory>
#include <string>
#include <string_view>

#include "showtime/service/live_session.hpp"

namespace onair::showtime {

std::string encode_session(const LiveSession& s);
// `record` is the session's durable record (the checkpoint does not repeat
// it); `context` the game service's audience context. Throws
// std::invalid_argument for a damaged checkpoint.
std::unique_ptr<LiveSession> decode_session(std::string_view checkpoint, SessionRecord record,
                                            std::shared_ptr<const AudienceContext> context,
                                            const ShowtimeEngineConfig& config);

}  // namespace onair::showtime
