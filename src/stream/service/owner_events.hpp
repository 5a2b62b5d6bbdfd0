#pragma once
// The client events that tell a link's owner what changed without a client call
// (schemas/stream-client-events.yaml): stream.link.changed and stream.session.changed.
// Pure builders; StreamService pushes them to every socket of the owner's account.
// Like the bus events they carry ids, states and counts only, never audience data.
#include <cstdint>
#include <string>

#include "gen/stream/models.hpp"
#include "stream/service/stream_store.hpp"

namespace onair::stream {

// `event_id` and `timestamp` are the caller's (fresh uuid, now).
gst::StreamLinkChangedClientEvent link_changed_event(const LinkRecord& link,
                                                     gst::StreamLinkChangedClientEventChange change,
                                                     std::string event_id, std::string timestamp);

// Duration up to `now_ms` while active, in total once ended.
gst::StreamSessionChangedClientEvent session_changed_event(const SessionRecord& session, std::int64_t now_ms,
                                                           std::string event_id, std::string timestamp);

// What an unlinked bus event means to the owner: removed, or kept but needing a new authorization.
gst::StreamLinkChangedClientEventChange link_change_of(gst::StreamPlatformUnlinkedEventReason reason);

}  // namespace onair::stream
