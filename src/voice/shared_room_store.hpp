#pragma once
// Rooms as JSON records in a state store that several nodes share (Redis):
// see room_store.hpp.
#include <mutex>
#include <unordered_map>

#include "voice/room_store.hpp"

namespace onair::voice {

class SharedRoomStore final : public RoomStore {
 public:
  explicit SharedRoomStore(infra::StateStore& store);

  Task<RoomSnapshot> get(const std::string& room_id) override;
  Task<RoomSnapshot> update(const std::string& room_id, const RoomChange& change) override;
  Task<std::vector<std::string>> room_ids() override;

  Task<void> map_session(const std::string& session_id, const std::string& room_id) override;
  Task<std::optional<std::string>> room_of(const std::string& session_id) override;
  Task<void> unmap_session(const std::string& session_id, const std::string& room_id) override;

 private:
  // The stored text → record for the rooms this node last read or wrote. A
  // record is reused only when the stored text is byte-identical, so another
  // node's write (or a store reset) simply misses; a compare costs far less
  // than parsing JSON on every join and leave.
  RoomSnapshot decode(const std::string& key, const std::string& text);
  void remember(const std::string& key, std::string text, const RoomSnapshot& room);
  void forget(const std::string& key);

  infra::StateStore& store_;  // passed by argument
  std::mutex cache_mutex_;
  struct Decoded {
    std::string text;
    RoomSnapshot room;
  };
  std::unordered_map<std::string, Decoded> cache_;  // guarded by cache_mutex_
};

}  // namespace onair::voice
