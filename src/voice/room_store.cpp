#include "voice/room_store.hpp"

#include "voice/local_room_store.hpp"
#include "voice/shared_room_store.hpp"

namespace onair::voice {

std::unique_ptr<RoomStore> make_room_store(infra::StateStore& store) {
  if (store.backend_name() == "memory") return std::make_unique<LocalRoomStore>();
  return std::make_unique<SharedRoomStore>(store);
}

}  // namespace onair::voice
