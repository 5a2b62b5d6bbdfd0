#include "stream/service/owner_events.hpp"

#include <algorithm>
#include <utility>

namespace onair::stream {

gst::StreamLinkChangedClientEvent link_changed_event(const LinkRecord& link,
                                                     gst::StreamLinkChangedClientEventChange change,
                                                     std::string event_id, std::string timestamp) {
  gst::StreamLinkChangedClientEvent e;
  e.event_id = std::move(event_id);
  e.timestamp = std::move(timestamp);
  e.link_id = link.link_id;
  e.platform = link.platform;
  e.change = change;
  return e;
}

gst::StreamSessionChangedClientEvent session_changed_event(const SessionRecord& session, std::int64_t now_ms,
                                                           std::string event_id, std::string timestamp) {
  gst::StreamSessionChangedClientEvent e;
  e.event_id = std::move(event_id);
  e.timestamp = std::move(timestamp);
  e.platform_session_id = session.session_id;
  e.link_id = session.link_id;
  e.platform = session.platform;
  e.state = session.state;
  e.in_game_session_id = session.in_game_session_id;
  const bool ended = session.state == gst::PlatformSessionState::ended;
  const auto end_ms = ended ? session.ended_ms : now_ms;
  e.duration_seconds = std::max<std::int64_t>(0, (end_ms - session.started_ms) / 1000);
  e.peak_viewer_count = std::max<std::int64_t>(0, session.peak_viewers);
  if (ended) e.end_reason = session.end_reason;
  return e;
}

gst::StreamLinkChangedClientEventChange link_change_of(gst::StreamPlatformUnlinkedEventReason reason) {
  return reason == gst::StreamPlatformUnlinkedEventReason::unlinked
             ? gst::StreamLinkChangedClientEventChange::unlinked
             : gst::StreamLinkChangedClientEventChange::needs_relink;
}

}  // namespace onair::stream
