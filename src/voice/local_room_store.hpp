#pragma once
// Rooms as typed records in this process (the embedded memory backend): see
// room_store.hpp. Thread-safe; every call completes inline.
#include <mutex>
#include <unordered_map>

#include "voice/room_store.hpp"

namespace onair::voice {

class LocalRoomStore final : public RoomStore {
 public:
  Task<RoomSnapshot> get(const std::string& room_id) override;
  Task<RoomSnapshot> update(const std::string& room_id, const RoomChange& change) override;
  Task<std::vector<std::string>> room_ids() override;

  Task<void> map_session(const std::string& session_id, const std::string& room_id) override;
  Task<std::optional<std::string>> room_of(const std::string& session_id) override;
  Task<void> unmap_session(const std::string& session_id, const std::string& room_id) override;

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, RoomSnapshot> rooms_;         // guarded by mutex_
  std::unordered_map<std::string, std::string> session_rooms_;  // guarded by mutex_
};

}  // namespace onair::voice
