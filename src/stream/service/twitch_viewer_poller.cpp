#include "stream/service/twitch_viewer_poller.hpp"

#include "core/logging.hpp"
#include "stream/service/helix_streams.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/stream_service.hpp"

namespace onair::stream {

namespace {
std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
}  // namespace

TwitchViewerPoller::TwitchViewerPoller(platform::ServiceContext& context, StreamService& service, PlatformAuth& auth)
    : PeriodicWorker(context, "TwitchViewerPoller",
                     std::chrono::seconds(service.config().twitch_viewer_poll_interval_seconds)),
      service_(service),
      auth_(auth) {}

Task<void> TwitchViewerPoller::round() { (void)co_await run_once(); }

Task<std::size_t> TwitchViewerPoller::run_once() {
  std::size_t updated = 0;
  const auto sessions = service_.held_sessions(gst::StreamPlatform::twitch);
  for (const auto& session : sessions) {
    if (co_await read_viewers(session)) ++updated;
  }
  co_return updated;
}

Task<bool> TwitchViewerPoller::read_viewers(const SessionRecord& session) {
  if (!session.channel_id) co_return false;
  PlatformRequest request{"GET",
                          trim_slash(service_.config().twitch_api_base_url) +
                              "/helix/streams?user_id=" + PlatformHttp::url_encode(*session.channel_id),
                          {},
                          {}};
  const auto reply = co_await auth_.user_call(session.link_id, std::move(request));
  auto state = reply.status == 200 ? parse_helix_stream(reply.body, *session.channel_id) : std::nullopt;
  if (!state) {
    log::debug("twitch viewer count not read",
               {{"platformSessionId", session.session_id}, {"status", std::to_string(reply.status)}});
    co_return false;
  }
  if (!state->live) co_return false;  // offline: nothing is recorded (see the header)
  co_return co_await service_.report_viewers(session.session_id, state->viewer_count);
}

}  // namespace onair::stream
