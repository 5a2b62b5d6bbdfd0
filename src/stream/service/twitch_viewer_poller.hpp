#pragma once
// Twitch viewer counts: every STREAM_TWITCH_VIEWER_POLL_INTERVAL_SECONDS each active Twitch session held
// on this node asks Helix GET /streams?user_id=<broadcaster> (with the link's user token, through
// PlatformAuth::user_call: a 401 refreshes and retries) and records the count (current and peak viewers
// of the session, the pulses' approximateViewerCount, peakViewerCount in stream.platform.session.ended).
// An offline answer changes nothing: Helix lags stream.online by minutes, so ending is left to
// stream.offline and /stream/session/stop. No lock: sessions are polled by the node that holds them.
#include <cstddef>

#include "core/task.hpp"
#include "stream/service/stream_store.hpp"
#include "stream/service/workers.hpp"

namespace onair::stream {

class PlatformAuth;

class TwitchViewerPoller final : public PeriodicWorker {
 public:
  TwitchViewerPoller(platform::ServiceContext& context, StreamService& service, PlatformAuth& auth);
  ~TwitchViewerPoller() override { stop(); }
  // Returns the sessions whose count was updated.
  Task<std::size_t> run_once();
  // One session's count now (a manual /stream/session/start asks at once); false when Helix did not
  // answer with the channel live.
  Task<bool> read_viewers(const SessionRecord& session);

 protected:
  Task<void> round() override;

 private:
  StreamService& service_;
  PlatformAuth& auth_;
};

}  // namespace onair::stream
