#pragma once
// TokenRefreshWorker (seed 000 "Background Services"): every STREAM_TOKEN_REFRESH_CHECK_INTERVAL_SECONDS,
// on one node at a time (distributed lock "stream:token-refresh"), refreshes the access token of every
// active Twitch / YouTube link that expires within STREAM_TOKEN_REFRESH_LEAD_SECONDS, and validates each
// Twitch token every STREAM_TWITCH_TOKEN_VALIDATE_INTERVAL_SECONDS (Twitch requires hourly validation;
// a 401 there refreshes). A refused refresh token marks the link needs_relink (PlatformAuth).
#include <chrono>
#include <cstddef>

#include "core/task.hpp"
#include "stream/service/workers.hpp"

namespace onair::stream {

class PlatformAuth;

class TokenRefreshWorker final : public PeriodicWorker {
 public:
  TokenRefreshWorker(platform::ServiceContext& context, StreamService& service, PlatformAuth& auth);
  ~TokenRefreshWorker() override { stop(); }

  struct Summary {
    bool ran = false;  // false: another node held the lock
    std::size_t refreshed = 0;
    std::size_t validated = 0;
    std::size_t revoked = 0;
    std::size_t failed = 0;
  };
  Task<Summary> run_once();

 protected:
  Task<void> round() override;

 private:
  Task<void> sweep(Summary& out);
  platform::ServiceContext& context_;
  StreamService& service_;
  PlatformAuth& auth_;
};

}  // namespace onair::stream
