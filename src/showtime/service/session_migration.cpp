#include "showtime/service/session_migration.hpp"

#include <algorithm>

#include "showtime/engine/career.hpp"
#include "showtime/engine/migration.hpp"

namespace onair::showtime {
namespace {

bool same_vocabulary(const TagVocabulary& a, const TagVocabulary& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.name(static_cast<TagId>(i)) != b.name(static_cast<TagId>(i))) return false;
  }
  return true;
}

bool active(const LiveSession& s) { return s.record.status == gs::ShowtimeSessionStatus::active; }

}  // namespace

std::vector<MigrationMove> migrate_between_sessions(const std::vector<LiveSession*>& sessions,
                                                    const ShowtimeEngineConfig& config, double fraction) {
  std::vector<LiveSession*> ordered(sessions.begin(), sessions.end());
  std::sort(ordered.begin(), ordered.end(),
            [](const LiveSession* a, const LiveSession* b) { return a->record.id < b->record.id; });
  std::vector<MigrationMove> moves;
  for (LiveSession* from : ordered) {
    if (!active(*from)) continue;
    std::vector<LiveSession*> destinations;
    std::vector<MigrationTarget> targets;
    for (LiveSession* to : ordered) {
      if (to == from || !active(*to) || to->record.game_service_id != from->record.game_service_id) continue;
      if (!capabilities(from_gen(to->record.career_phase)).receives_migration) continue;
      if (!same_vocabulary(from->tags, to->tags)) continue;
      destinations.push_back(to);
      targets.push_back({&to->pool, &to->content});
    }
    if (targets.empty()) continue;
    const auto params = session_params(*from, config);
    const auto result = migrate(from->pool, from->content, targets, fraction, params, from->rng);
    for (std::size_t i = 0; i < destinations.size(); ++i) {
      if (result.moved_to[i] == 0) continue;
      moves.push_back({from->record.id, destinations[i]->record.id, result.moved_to[i]});
    }
  }
  return moves;
}

}  // namespace onair::showtime
