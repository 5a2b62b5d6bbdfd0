#include "stream/service/token_refresh_worker.hpp"

#include <algorithm>

#include "stream/service/node_lock.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/platform_tokens.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/upkeep_store.hpp"

namespace onair::stream {

namespace {
constexpr gst::StreamPlatform kTokenPlatforms[] = {gst::StreamPlatform::twitch, gst::StreamPlatform::youtube};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

TokenRefreshWorker::TokenRefreshWorker(platform::ServiceContext& context, StreamService& service, PlatformAuth& auth)
    : PeriodicWorker(context, "TokenRefreshWorker",
                     std::chrono::seconds(service.config().token_refresh_check_interval_seconds)),
      context_(context),
      service_(service),
      auth_(auth) {}

Task<void> TokenRefreshWorker::round() { (void)co_await run_once(); }

Task<TokenRefreshWorker::Summary> TokenRefreshWorker::run_once() {
  Summary out;
  // A crashed holder blocks the others for at most two intervals (and never less than two minutes).
  const auto ttl =
      std::chrono::seconds(std::max<std::int64_t>(120, 2 * service_.config().token_refresh_check_interval_seconds));
  auto work = [this, &out]() -> Task<void> { co_await sweep(out); };
  out.ran = co_await run_exclusively(context_, "stream:token-refresh", ttl, work);
  co_return out;
}

Task<void> TokenRefreshWorker::sweep(Summary& out) {
  const auto& c = service_.config();
  auto validated = co_await service_.upkeep_store().validated_times();
  for (const auto platform : kTokenPlatforms) {
    const auto links = co_await service_.store().active_links(platform);
    for (const auto& link : links) {
      if (!link.access_token) continue;
      const auto now = wall_ms();
      if (refresh_due(link.token_expires_ms, now, c.token_refresh_lead_seconds)) {
        switch (co_await auth_.refresh(link.link_id)) {
          case PlatformAuth::Refresh::refreshed:
            ++out.refreshed;
            // A token just granted is valid: its validation clock starts now.
            if (platform == gst::StreamPlatform::twitch)
              co_await service_.upkeep_store().set_validated(link.link_id, now);
            break;
          case PlatformAuth::Refresh::revoked:
            ++out.revoked;
            break;
          default:
            ++out.failed;
            break;
        }
        continue;
      }
      if (platform != gst::StreamPlatform::twitch) continue;
      std::optional<std::int64_t> last;
      if (auto it = validated.find(link.link_id); it != validated.end()) last = it->second;
      if (!validation_due(last, now, c.twitch_token_validate_interval_seconds)) continue;
      switch (co_await auth_.validate_twitch(link.link_id)) {
        case PlatformAuth::Validation::valid:
          ++out.validated;
          co_await service_.upkeep_store().set_validated(link.link_id, now);
          break;
        case PlatformAuth::Validation::refreshed:
          ++out.refreshed;
          co_await service_.upkeep_store().set_validated(link.link_id, now);
          break;
        case PlatformAuth::Validation::revoked:
          ++out.revoked;
          break;
        case PlatformAuth::Validation::failed:
          ++out.failed;
          break;
      }
    }
  }
}

}  // namespace onair::stream
