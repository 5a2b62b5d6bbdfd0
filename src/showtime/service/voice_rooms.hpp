#pragma once
// Voice rooms through the voice service (SHOWTIME.md "The Game-Session ->
// Voice Room Orchestration"): in process when the voice service runs here
// (its route handler is called with a service identity, as the dispatcher
// would after authentication), over HTTP with a service token when
// SHOWTIME_VOICE_BASE_URL points at another onair. Without either there are
// no voice rooms (available() is false) and showtime works on without them.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/blocking.hpp"
#include "core/task.hpp"
#include "platform/route_table.hpp"

namespace onair::showtime {

class VoiceRooms {
 public:
  // `routes`: this process's route table; `base_url`: a remote voice service;
  // `jwt_secret`: signs the service token for the remote one.
  VoiceRooms(const platform::RouteTable* routes, std::optional<std::string> base_url,
             std::optional<std::string> jwt_secret);
  ~VoiceRooms();

  bool available() const;
  // Creates room `room_id` owned by `owner_session_id`. Throws ApiError 503
  // when no voice service is reachable, or the voice service's error.
  Task<void> create(const std::string& room_id, const std::string& owner_session_id,
                    std::optional<std::int64_t> max_participants);
  // Deletes it; false when the voice service does not know it.
  Task<bool> remove(const std::string& room_id);

 private:
  Task<int> call(const std::string& path, std::string body);

  const platform::RouteTable* routes_;
  std::optional<std::string> base_url_;
  std::optional<std::string> jwt_secret_;
  std::unique_ptr<BlockingPool> pool_;  // runs blocking HTTP calls (remote voice service only)
};

}  // namespace onair::showtime
