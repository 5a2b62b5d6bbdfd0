#include "voice/local_room_store.hpp"

namespace onair::voice {

Task<RoomSnapshot> LocalRoomStore::get(const std::string& room_id) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room_id);
  co_return it == rooms_.end() ? nullptr : it->second;
}

Task<RoomSnapshot> LocalRoomStore::update(const std::string& room_id, const RoomChange& change) {
  std::lock_guard lock(mutex_);  // the change is plain code: it never awaits while this is held
  auto it = rooms_.find(room_id);
  std::optional<RoomRecord> working;
  if (it != rooms_.end()) working = *it->second;
  const auto write = change(working);
  if (write == RoomWrite::none) co_return it == rooms_.end() ? nullptr : it->second;
  if (write == RoomWrite::remove) {
    if (it != rooms_.end()) rooms_.erase(it);
    co_return nullptr;
  }
  auto written = std::make_shared<const RoomRecord>(std::move(*working));
  if (it != rooms_.end()) {
    it->second = written;
  } else {
    rooms_.emplace(room_id, written);
  }
  co_return written;
}

Task<std::vector<std::string>> LocalRoomStore::room_ids() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  ids.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) ids.push_back(id);
  co_return ids;
}

Task<void> LocalRoomStore::map_session(const std::string& session_id, const std::string& room_id) {
  std::lock_guard lock(mutex_);
  session_rooms_.insert_or_assign(session_id, room_id);
  co_return;
}

Task<std::optional<std::string>> LocalRoomStore::room_of(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto it = session_rooms_.find(session_id);
  co_return it == session_rooms_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Task<void> LocalRoomStore::unmap_session(const std::string& session_id, const std::string& room_id) {
  std::lock_guard lock(mutex_);
  auto it = session_rooms_.find(session_id);
  if (it != session_rooms_.end() && it->second == room_id) session_rooms_.erase(it);
  co_return;
}

}  // namespace onair::voice
