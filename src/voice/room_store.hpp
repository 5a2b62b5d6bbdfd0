#pragma once
// Where rooms live. Two kinds, chosen by the state store's backend:
//  - SharedRoomStore: `voice:room:<roomId>` (the RoomRecord as JSON) and
//    `voice:session-room:<sessionId>` in the state store, every change a
//    read-modify-write checked against the record's version and retried, so
//    concurrent joins on several nodes (Redis) never lose a participant.
//  - LocalRoomStore: typed maps in this process, for the embedded memory
//    backend, where no other node can see the rooms anyway; a change runs under
//    one lock, with no text encoded or decoded (bench/voice: the record's JSON
//    was the largest single cost of a join or leave).
// Both hand out immutable snapshots: a caller keeps its room across awaits
// without copying it, and a change never edits a record someone is reading.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "infra/state_store.hpp"
#include "voice/room_record.hpp"

namespace onair::voice {

enum class RoomWrite { none, put, remove };

using RoomSnapshot = std::shared_ptr<const RoomRecord>;
// Sees the current record (nullopt: no such room), may edit it, and says what
// to write. It may run several times (on conflicts), so it must not have side
// effects beyond its captures, which it should reset on each run. A throw
// changes nothing.
using RoomChange = std::function<RoomWrite(std::optional<RoomRecord>&)>;

class RoomStore {
 public:
  virtual ~RoomStore() = default;

  virtual Task<RoomSnapshot> get(const std::string& room_id) = 0;  // null: no such room
  // Returns the record as written (RoomWrite::none: as stored; null when removed or absent).
  virtual Task<RoomSnapshot> update(const std::string& room_id, const RoomChange& change) = 0;
  virtual Task<std::vector<std::string>> room_ids() = 0;

  virtual Task<void> map_session(const std::string& session_id, const std::string& room_id) = 0;
  virtual Task<std::optional<std::string>> room_of(const std::string& session_id) = 0;
  // Removes the mapping only while it still points at `room_id`.
  virtual Task<void> unmap_session(const std::string& session_id, const std::string& room_id) = 0;
};

// LocalRoomStore for the memory backend, SharedRoomStore for every other.
std::unique_ptr<RoomStore> make_room_store(infra::StateStore& store);

}  // namespace onair::voice
