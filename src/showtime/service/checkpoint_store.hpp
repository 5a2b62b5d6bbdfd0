#pragma once
// Where audience checkpoints go: the state store when it is Redis (shared by
// every node, fast), else the SQL database (the embedded defaults keep state
// in memory, which a restart loses; SQLite keeps the checkpoint).
#include <optional>
#include <string>

#include "core/task.hpp"
#include "infra/state_store.hpp"
#include "showtime/service/showtime_store.hpp"

namespace onair::showtime {

class CheckpointStore {
 public:
  CheckpointStore(infra::StateStore& state, ShowtimeStore& store);

  Task<void> put(const std::string& session_id, std::string checkpoint);
  Task<std::optional<std::string>> get(const std::string& session_id);
  Task<void> remove(const std::string& session_id);
  bool in_state_store() const noexcept { return use_state_; }

 private:
  infra::StateStore& state_;
  ShowtimeStore& store_;
  bool use_state_;
};

}  // namespace onair::showtime
