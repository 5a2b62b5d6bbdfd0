#pragma once
// Rooms in the state store: `voice:room:<roomId>` (the RoomRecord, JSON) and
// `voice:session-room:<sessionId>` (which room a session is in). Every change
// is a read-modify-write checked against the record's version and retried, so
// concurrent joins on several nodes never lose a participant.
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/task.hpp"
#include "infra/state_store.hpp"
#include "voice/room_record.hpp"

namespace onair::voice {

enum class RoomWrite { none, put, remove };

class RoomStore {
 public:
  explicit RoomStore(infra::StateStore& store);

  Task<std::optional<RoomRecord>> get(const std::string& room_id);
  // `change` sees the current record (nullopt: no such room) and says what to
  // write. It may run several times (on conflicts), so it must not have side
  // effects beyond its captures, which it should reset on each run.
  // Returns the record as written (nullopt when removed or absent).
  Task<std::optional<RoomRecord>> update(const std::string& room_id,
                                         const std::function<RoomWrite(std::optional<RoomRecord>&)>& change);
  Task<std::vector<std::string>> room_ids();

  Task<void> map_session(const std::string& session_id, const std::string& room_id);
  Task<std::optional<std::string>> room_of(const std::string& session_id);
  // Removes the mapping only while it still points at `room_id`.
  Task<void> unmap_session(const std::string& session_id, const std::string& room_id);

 private:
  // The stored text → record for the rooms this node last read or wrote. A
  // record is reused only when the stored text is byte-identical, so another
  // node's write (or a store reset) simply misses; a compare costs far less
  // than parsing JSON on every join and leave.
  std::optional<RoomRecord> decode(const std::string& key, const std::string& text);
  void remember(const std::string& key, const std::string& text, const RoomRecord& room);
  void forget(const std::string& key);

  infra::StateStore& store_;
  std::mutex cache_mutex_;
  struct Decoded {
    std::string text;
    RoomRecord room;
  };
  std::unordered_map<std::string, Decoded> cache_;
};

}  // namespace onair::voice
