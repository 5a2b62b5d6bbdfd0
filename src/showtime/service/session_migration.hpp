#pragma once
// Audience migration between the live sessions of one game service held on
// this node (SHOWTIME.md: cross-streamer migration; the Celebrity phase's
// "audience migration from other streamers"). Pure: no I/O, no locking; the
// caller holds every session involved.
#include <string>
#include <vector>

#include "showtime/engine/engine_config.hpp"
#include "showtime/service/live_session.hpp"

namespace onair::showtime {

// Share of a session's eligible members (disengaged, simulated, better matched
// elsewhere) that move per tick: a trickle, so a streamer losing the room sees
// it drain over minutes rather than vanish in one tick.
inline constexpr double kMigrationFractionPerTick = 0.05;

struct MigrationMove {
  std::string from_session;
  std::string to_session;
  std::uint32_t members = 0;
};

// Sessions exchange members only when they belong to the same game service,
// are active (not paused), and use identical tag vocabularies (interests are
// tag bits; a session that interned its own tags reads them differently). A
// destination must be in a career phase that receives migration. Sources go in
// session-id order, so a round is deterministic given the sessions' states.
std::vector<MigrationMove> migrate_between_sessions(const std::vector<LiveSession*>& sessions,
                                                    const ShowtimeEngineConfig& config,
                                                    double fraction = kMigrationFractionPerTick);

}  // namespace onair::showtime
