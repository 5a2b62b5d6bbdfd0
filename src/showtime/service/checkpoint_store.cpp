#include "showtime/service/checkpoint_store.hpp"

namespace onair::showtime {
namespace {
std::string key(const std::string& session_id) { return "showtime:checkpoint:" + session_id; }
}  // namespace

CheckpointStore::CheckpointStore(infra::StateStore& state, ShowtimeStore& store)
    : state_(state), store_(store), use_state_(state.backend_name() == "redis") {}

Task<void> CheckpointStore::put(const std::string& session_id, std::string checkpoint) {
  if (use_state_) {
    co_await state_.set(key(session_id), std::move(checkpoint));
  } else {
    co_await store_.put_checkpoint(session_id, checkpoint);
  }
}

Task<std::optional<std::string>> CheckpointStore::get(const std::string& session_id) {
  if (use_state_) {
    auto v = co_await state_.get(key(session_id));
    if (!v) co_return std::nullopt;
    co_return std::move(v->data);
  }
  co_return co_await store_.checkpoint(session_id);
}

Task<void> CheckpointStore::remove(const std::string& session_id) {
  if (use_state_) {
    co_await state_.remove(key(session_id));
  } else {
    co_await store_.remove_checkpoint(session_id);
  }
}

}  // namespace onair::showtime
