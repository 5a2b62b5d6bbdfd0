#include "voice/voice_service.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <sstream>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "core/validation.hpp"
#include "gen/voice/topics.hpp"
#include "voice/participant_eviction_worker.hpp"
#include "voice/voice_messages.hpp"

namespace onair::voice {
namespace gv = gen::voice;
namespace asio = boost::asio;
namespace {

bool is_service(const platform::CallContext& caller) {
  return std::find(caller.roles.begin(), caller.roles.end(), "service") != caller.roles.end();
}

bool is_admin(const platform::CallContext& caller) {
  return is_service(caller) || std::find(caller.roles.begin(), caller.roles.end(), "admin") != caller.roles.end();
}

// The session a call acts for: the caller's own, or (service role only) another.
std::string acting_session(const std::optional<std::string>& given, const platform::CallContext& caller) {
  if (given && *given != caller.session_id) {
    if (!is_service(caller)) throw forbidden("a user may only act for its own session");
    return *given;
  }
  if (caller.session_id.empty()) throw bad_request("the token has no session id (sid)");
  // It becomes a participant's sessionId (format uuid in every model and event).
  validation::check_uuid(caller.session_id, std::string_view("token.sid"));
  return caller.session_id;
}

std::vector<std::string> split_stun(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

ApiError refusal(int status, const std::string& message) { return ApiError(status, message); }

}  // namespace

VoiceService::VoiceService(platform::ServiceContext& context, gv::VoiceConfiguration config)
    : context_(context),
      config_(std::move(config)),
      rooms_(make_room_store(context.state)),
      stun_servers_(split_stun(config_.stun_servers)) {}

VoiceService::~VoiceService() { *alive_ = false; }

void VoiceService::register_routes(platform::RouteTable& routes) { gv::register_routes(routes, *this); }

Task<void> VoiceService::start() {
  if (context_.session_closed_listeners) {
    context_.session_closed_listeners->push_back(
        [this](std::string session_id) -> Task<void> { co_await session_closed(session_id); });
  }
  worker_ = std::make_unique<ParticipantEvictionWorker>(context_, *this, *rooms_, config_);
  worker_->start();
  co_return;
}

Task<void> VoiceService::stop() {
  *alive_ = false;
  if (worker_) worker_->stop();
  co_return;
}

std::int64_t VoiceService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RoomLimits VoiceService::limits() const {
  RoomLimits l;
  l.p2p_max_participants = static_cast<int>(config_.p2p_max_participants);
  l.scaled_max_participants = static_cast<int>(config_.scaled_max_participants);
  l.scaled_tier_enabled = config_.scaled_tier_enabled;
  l.tier_upgrade_enabled = config_.tier_upgrade_enabled;
  l.ad_hoc_rooms_enabled = config_.ad_hoc_rooms_enabled;
  return l;
}

Task<void> VoiceService::send(VoiceOutbox outbox) {
  return send_outbox(std::move(outbox), context_.session_states, context_.client_events, context_.bus);
}

bool VoiceService::reaches(const std::string& session_id) const { return context_.client_events.may_reach(session_id); }

bool VoiceService::heard(std::string_view topic) const {
  return spdlog::should_log(spdlog::level::info) || context_.bus.has_subscribers(topic);
}

Task<RoomSnapshot> VoiceService::require_room(const std::string& room_id) {
  auto room = co_await rooms_->get(room_id);
  if (!room) throw not_found("voice room " + room_id + " not found");
  co_return room;
}

// ---------------------------------------------------------------------------
// Rooms

Task<gv::VoiceRoomResponse> VoiceService::create_voice_room(gv::CreateVoiceRoomRequest r, const Caller&) {
  const std::string room_id = r.room_id.value_or(new_uuid());
  RoomRecord fresh;
  fresh.room_id = room_id;
  fresh.owner_session_id = r.session_id;
  fresh.tier = r.preferred_tier == gv::VoiceTier::scaled ? VoiceTier::scaled : VoiceTier::p2p;
  fresh.codec = std::string(gv::to_string(r.codec.value_or(gv::VoiceCodec::opus)));
  fresh.max_participants = static_cast<int>(r.max_participants);
  fresh.auto_cleanup = r.auto_cleanup;
  if (r.password) fresh.password_hash = hash_room_password(room_id, *r.password);
  fresh.created_at = now_rfc3339();
  fresh.empty_since_ms = now_ms();
  if (fresh.tier == VoiceTier::scaled && !config_.scaled_tier_enabled) {
    throw bad_request("the scaled tier is disabled (VOICE_SCALED_TIER_ENABLED)");
  }
  bool exists = false;
  auto change = [&](std::optional<RoomRecord>& room) {
    exists = room.has_value();
    if (exists) return RoomWrite::none;
    room = fresh;
    return RoomWrite::put;
  };
  auto stored = co_await rooms_->update(room_id, change);
  if (exists) throw conflict("voice room " + room_id + " already exists");
  VoiceOutbox out;
  out.publish(std::string(gv::kVoiceRoomCreated), room_created_bus_event(*stored));
  co_await send(std::move(out));
  co_return room_response(*stored);
}

Task<gv::VoiceRoomResponse> VoiceService::get_voice_room(gv::GetVoiceRoomRequest r, const Caller& caller) {
  auto room = co_await require_room(r.room_id);
  if (!is_admin(caller) && !room->find(caller.session_id)) throw forbidden("you are not in this room");
  co_return room_response(*room);
}

Task<gv::JoinVoiceRoomResponse> VoiceService::join_voice_room(gv::JoinVoiceRoomRequest r, const Caller& caller) {
  const auto session = acting_session(r.session_id, caller);
  const auto now = now_ms();
  const auto given_hash =
      r.password ? std::optional<std::string>(hash_room_password(r.room_id, *r.password)) : std::nullopt;

  bool created = false;
  std::vector<Effect> consent_effects;
  auto change = [&](std::optional<RoomRecord>& room) {
    created = false;
    consent_effects.clear();
    RoomFacts facts;
    facts.exists = room.has_value();
    facts.limits = limits();
    if (room) {
      facts.tier = room->tier;
      facts.max_participants = room->max_participants;
      facts.participant_count = static_cast<int>(room->participants.size());
      if (!room->password_hash.empty()) facts.password = room->password_hash;
      facts.broadcast_state = BroadcastConsent::from_record(room->consent).state();
    }
    JoinFacts join;
    join.password = given_hash;
    join.accept_broadcast = r.accept_broadcast;
    join.already_in_room = room && room->find(session) != nullptr;
    auto decision = check_join(facts, join);
    if (!decision.ok()) throw refusal(decision.status, decision.error);
    if (decision.tier == TierDecision::upgrade_to_scaled) {
      // The SFU tier's media comes with a later issue: the decision point is here.
      log::warn("room needs the scaled tier, which is not available yet", {{"roomId", r.room_id}});
      throw conflict("voice room is full (the scaled tier is not available yet)");
    }
    if (!room) {
      created = true;
      RoomRecord fresh;
      fresh.room_id = r.room_id;
      fresh.owner_session_id = session;
      fresh.max_participants = static_cast<int>(config_.p2p_max_participants);
      fresh.ad_hoc = true;
      fresh.auto_cleanup = true;
      fresh.created_at = now_rfc3339();
      room = std::move(fresh);
    }
    auto consent = BroadcastConsent::from_record(room->consent);
    auto outcome = consent.join(session, r.accept_broadcast);
    if (!outcome.ok()) throw refusal(outcome.status, outcome.error);
    consent_effects = std::move(outcome.effects);
    room->consent = consent.record();
    ParticipantRecord p;
    p.session_id = session;
    p.display_name = r.display_name.value_or("");
    p.joined_at = now_rfc3339();
    p.last_heartbeat_ms = now;
    p.sdp_offer = r.sip_endpoint.sdp_offer;
    p.ice_candidates = r.sip_endpoint.ice_candidates.value_or(std::vector<std::string>{});
    // Every existing peer gets this joiner's offer when there is one (voice: ringing).
    if (!p.sdp_offer.empty()) {
      for (auto& other : room->participants) other.offers_from.insert(session);
    }
    room->participants.push_back(std::move(p));
    room->empty_since_ms.reset();
    return RoomWrite::put;
  };
  auto room = co_await rooms_->update(r.room_id, change);
  // Only a join that succeeded leaves the previous room (a refused one changes nothing); before this
  // join's states are sent, since leaving clears the session's voice states.
  co_await leave_previous_room(session, r.room_id);
  co_await rooms_->map_session(session, r.room_id);

  const auto& me = *room->find(session);
  gv::JoinVoiceRoomResponse response;
  response.room_id = room->room_id;
  response.session_id = session;
  response.tier = to_gen(room->tier);
  response.codec = codec_of(*room);
  response.stun_servers = stun_servers_;
  response.broadcast_state = to_gen(BroadcastConsent::from_record(room->consent).state());
  response.heartbeat_interval_seconds = std::max<std::int64_t>(1, config_.participant_heartbeat_timeout_seconds / 3);
  std::vector<gv::VoicePeerInfo> state_peers;
  const bool tell_me = reaches(session);
  for (const auto& p : room->participants) {
    if (p.session_id == session) continue;
    gv::VoicePeer peer;
    peer.session_id = p.session_id;
    if (!p.display_name.empty()) peer.display_name = p.display_name;
    peer.sip_endpoint.sdp_offer = "";  // offers are per pair: this peer's join offer was for others
    response.peers.push_back(std::move(peer));
    if (tell_me) state_peers.push_back(peer_info(p, ""));
  }

  VoiceOutbox out;
  out.set_state(session, "in_room");
  std::optional<std::string> joined;  // built once, and only if some peer can receive it
  for (const auto& p : room->participants) {
    if (p.session_id == session) continue;
    if (!me.sdp_offer.empty()) out.set_state(p.session_id, "ringing");
    if (!reaches(p.session_id)) continue;
    if (!joined) joined = peer_joined_event(*room, peer_info(me, me.sdp_offer, me.ice_candidates));
    out.push(p.session_id, *joined);
  }
  if (tell_me) {
    gv::VoiceRoomStateClientEvent state;
    state.event_id = new_uuid();
    state.timestamp = now_rfc3339();
    state.room_id = room->room_id;
    state.session_id = session;
    state.tier = response.tier;
    state.codec = response.codec;
    state.peers = std::move(state_peers);
    state.stun_servers = stun_servers_;
    state.broadcast_state = response.broadcast_state;
    out.push(session, state.to_json_text());
  }
  apply_consent_effects(*room, consent_effects, session, config_.broadcast_consent_timeout_seconds, out);
  if (created && heard(gv::kVoiceRoomCreated)) {
    out.publish(std::string(gv::kVoiceRoomCreated), room_created_bus_event(*room));
  }
  if (heard(gv::kVoiceParticipantJoined)) {
    out.publish(std::string(gv::kVoiceParticipantJoined), participant_joined_bus_event(*room, session));
  }
  co_await send(std::move(out));
  co_return response;
}

Task<void> VoiceService::leave_previous_room(const std::string& session_id, const std::string& except_room) {
  auto previous = co_await rooms_->room_of(session_id);
  if (previous && *previous != except_room) {
    try {
      co_await remove_participant(*previous, session_id, false);
    } catch (const ApiError&) {
      // Already gone: the mapping was stale.
    }
  }
}

Task<gen::common::EmptyResponse> VoiceService::leave_voice_room(gv::LeaveVoiceRoomRequest r, const Caller& caller) {
  const auto session = acting_session(r.session_id, caller);
  co_await remove_participant(r.room_id, session, false);
  co_return gen::common::EmptyResponse{};
}

Task<void> VoiceService::remove_participant(const std::string& room_id, const std::string& session_id, bool evicted) {
  const auto now = now_ms();
  std::optional<ParticipantRecord> gone;
  std::vector<Effect> consent_effects;
  bool delete_now = false;
  auto change = [&](std::optional<RoomRecord>& room) {
    gone.reset();
    consent_effects.clear();
    delete_now = false;
    if (!room) return RoomWrite::none;
    auto it = std::find_if(room->participants.begin(), room->participants.end(),
                           [&](const ParticipantRecord& p) { return p.session_id == session_id; });
    if (it == room->participants.end()) return RoomWrite::none;
    gone = *it;
    room->participants.erase(it);
    for (auto& p : room->participants) p.offers_from.erase(session_id);
    auto consent = BroadcastConsent::from_record(room->consent);
    auto outcome = evicted ? consent.evict(session_id) : consent.leave(session_id);
    consent_effects = std::move(outcome.effects);
    room->consent = consent.record();
    if (room->participants.empty()) {
      room->empty_since_ms = now;
      delete_now = should_delete_empty_room(room->auto_cleanup, room->ad_hoc, now, now,
                                            std::chrono::seconds(config_.empty_room_grace_period_seconds));
    }
    return RoomWrite::put;
  };
  auto room = co_await rooms_->update(room_id, change);
  if (!room) throw not_found("voice room " + room_id + " not found");
  if (!gone) throw not_found("session is not in voice room " + room_id);
  co_await rooms_->unmap_session(session_id, room_id);

  VoiceOutbox out;
  out.clear_voice(session_id);
  for (const auto& p : room->participants) {
    if (p.offers_from.empty()) out.clear_state(p.session_id, "ringing");
  }
  std::vector<std::string> told;
  for (const auto& p : room->participants) {
    if (reaches(p.session_id)) told.push_back(p.session_id);
  }
  if (!told.empty()) out.push_all(told, peer_left_event(*room, *gone, evicted));
  apply_consent_effects(*room, consent_effects, session_id, config_.broadcast_consent_timeout_seconds, out);
  if (heard(gv::kVoiceParticipantLeft)) {
    out.publish(std::string(gv::kVoiceParticipantLeft), participant_left_bus_event(*room, session_id, evicted));
  }
  co_await send(std::move(out));
  if (delete_now) co_await delete_room(room_id, gv::VoiceRoomDeletedReason::empty);
}

Task<gen::common::EmptyResponse> VoiceService::delete_voice_room(gv::DeleteVoiceRoomRequest r, const Caller&) {
  auto existing = co_await rooms_->get(r.room_id);
  if (!existing) throw not_found("voice room " + r.room_id + " not found");
  co_await delete_room(r.room_id, r.reason.value_or(gv::VoiceRoomDeletedReason::manual));
  co_return gen::common::EmptyResponse{};
}

Task<void> VoiceService::delete_room(const std::string& room_id, gv::VoiceRoomDeletedReason reason) {
  std::optional<RoomRecord> last;
  auto change = [&](std::optional<RoomRecord>& room) {
    last = room;
    return room ? RoomWrite::remove : RoomWrite::none;
  };
  co_await rooms_->update(room_id, change);
  if (!last) co_return;
  auto consent = BroadcastConsent::from_record(last->consent);
  auto outcome = consent.room_closed();
  VoiceOutbox out;
  const auto sessions = last->session_ids();
  for (const auto& s : sessions) out.clear_voice(s);
  apply_consent_effects(*last, outcome.effects, {}, config_.broadcast_consent_timeout_seconds, out);
  out.push_all(sessions, room_closed_event(*last, reason));
  // One participant.left each, counting down to the empty room as if they had left one by one.
  RoomRecord leaving = *last;
  while (!leaving.participants.empty()) {
    const auto gone = leaving.participants.front().session_id;
    leaving.participants.erase(leaving.participants.begin());
    out.publish(std::string(gv::kVoiceParticipantLeft), participant_left_bus_event(leaving, gone, false));
  }
  out.publish(std::string(gv::kVoiceRoomDeleted), room_deleted_bus_event(*last, reason));
  for (const auto& s : sessions) co_await rooms_->unmap_session(s, room_id);
  co_await send(std::move(out));
}

// ---------------------------------------------------------------------------
// Heartbeats and signaling

Task<gen::common::EmptyResponse> VoiceService::peer_heartbeat(gv::PeerHeartbeatRequest r, const Caller& caller) {
  const auto session = acting_session(r.session_id, caller);
  const auto now = now_ms();
  bool found = false;
  auto change = [&](std::optional<RoomRecord>& room) {
    found = false;
    if (!room) return RoomWrite::none;
    auto* p = room->find(session);
    if (!p) return RoomWrite::none;
    found = true;
    p->last_heartbeat_ms = now;
    return RoomWrite::put;
  };
  co_await rooms_->update(r.room_id, change);
  if (!found) throw not_found("session is not in voice room " + r.room_id);
  co_return gen::common::EmptyResponse{};
}

Task<gen::common::EmptyResponse> VoiceService::offer_peer(gv::OfferPeerRequest r, const Caller& caller) {
  const auto session = acting_session(std::nullopt, caller);
  if (r.target_session_id == session) throw bad_request("cannot offer to yourself");
  std::optional<ParticipantRecord> sender;
  auto change = [&](std::optional<RoomRecord>& room) {
    sender.reset();
    if (!room) throw not_found("voice room " + r.room_id + " not found");
    auto* me = room->find(session);
    auto* target = room->find(r.target_session_id);
    if (!me) throw forbidden("you are not in this room");
    if (!target) throw not_found("target is not in this room");
    sender = *me;
    target->offers_from.insert(session);
    return RoomWrite::put;
  };
  auto room = co_await rooms_->update(r.room_id, change);
  VoiceOutbox out;
  out.set_state(r.target_session_id, "ringing");
  auto candidates = r.ice_candidates.value_or(std::vector<std::string>{});
  out.push(r.target_session_id, peer_joined_event(*room, peer_info(*sender, r.sdp_offer, std::move(candidates))));
  co_await send(std::move(out));
  co_return gen::common::EmptyResponse{};
}

Task<gen::common::EmptyResponse> VoiceService::answer_peer(gv::AnswerPeerRequest r, const Caller& caller) {
  const auto session = acting_session(r.sender_session_id, caller);
  std::optional<ParticipantRecord> answerer;
  bool still_ringing = false;
  auto change = [&](std::optional<RoomRecord>& room) {
    answerer.reset();
    if (!room) throw not_found("voice room " + r.room_id + " not found");
    auto* me = room->find(session);
    if (!me) throw forbidden("you are not in this room");
    if (!room->find(r.target_session_id)) throw not_found("target is not in this room");
    if (me->offers_from.erase(r.target_session_id) == 0) throw not_found("no offer from that peer to answer");
    still_ringing = !me->offers_from.empty();
    answerer = *me;
    return RoomWrite::put;
  };
  auto room = co_await rooms_->update(r.room_id, change);
  VoiceOutbox out;
  if (!still_ringing) out.clear_state(session, "ringing");
  auto candidates = r.ice_candidates.value_or(std::vector<std::string>{});
  out.push(r.target_session_id, peer_updated_event(*room, peer_info(*answerer, r.sdp_answer, std::move(candidates))));
  co_await send(std::move(out));
  co_return gen::common::EmptyResponse{};
}

Task<gen::common::EmptyResponse> VoiceService::send_ice_candidate(gv::IceCandidateRequest r, const Caller& caller) {
  const auto session = acting_session(std::nullopt, caller);
  auto room = co_await require_room(r.room_id);
  const auto* me = room->find(session);
  if (!me) throw forbidden("you are not in this room");
  if (!room->find(r.target_session_id)) throw not_found("target is not in this room");
  VoiceOutbox out;
  out.push(r.target_session_id, peer_updated_event(*room, peer_info(*me, "", r.ice_candidates)));
  co_await send(std::move(out));
  co_return gen::common::EmptyResponse{};
}

// ---------------------------------------------------------------------------
// Broadcast consent

// One consent input on one room: load, apply `input` to the machine (a refused
// input throws its status and changes nothing), store, then send the effects.
Task<RoomSnapshot> VoiceService::change_consent(const std::string& room_id, const std::string& actor,
                                                const ConsentInput& input) {
  std::vector<Effect> effects;
  auto change = [&](std::optional<RoomRecord>& room) {
    if (!room) throw not_found("voice room " + room_id + " not found");
    auto consent = BroadcastConsent::from_record(room->consent);
    auto outcome = input(consent, *room);
    if (!outcome.ok()) throw refusal(outcome.status, outcome.error);
    effects = std::move(outcome.effects);
    room->consent = consent.record();
    return RoomWrite::put;
  };
  auto room = co_await rooms_->update(room_id, change);
  VoiceOutbox out;
  apply_consent_effects(*room, effects, actor, config_.broadcast_consent_timeout_seconds, out);
  co_await send(std::move(out));
  co_return room;
}

Task<gv::BroadcastConsentStatus> VoiceService::request_broadcast_consent(gv::BroadcastConsentRequest r,
                                                                         const Caller& caller) {
  const auto session = acting_session(r.requesting_session_id, caller);
  const auto now = now_ms();
  const auto timeout = std::chrono::seconds(config_.broadcast_consent_timeout_seconds);
  auto input = [&](BroadcastConsent& consent, const RoomRecord& room) {
    return consent.request(session, room.session_ids(), now, timeout);
  };
  auto room = co_await change_consent(r.room_id, session, input);
  auto consent = BroadcastConsent::from_record(room->consent);
  if (consent.state() == ConsentState::pending) arm_consent_timer(r.room_id, consent.deadline());
  co_return consent_status(*room);
}

Task<gv::BroadcastConsentStatus> VoiceService::respond_broadcast_consent(gv::BroadcastConsentResponse r,
                                                                         const Caller& caller) {
  const auto session = acting_session(r.session_id, caller);
  const auto now = now_ms();
  bool timed_out = false;
  auto input = [&](BroadcastConsent& consent, const RoomRecord&) {
    // A request past its deadline is declined first: a late answer cannot approve.
    auto expired = consent.tick(now);
    timed_out = !expired.effects.empty();
    return timed_out ? expired : consent.respond(session, r.consented, now);
  };
  auto room = co_await change_consent(r.room_id, session, input);
  if (timed_out) throw not_found("the consent request has expired");
  co_return consent_status(*room);
}

Task<gv::BroadcastConsentStatus> VoiceService::stop_broadcast(gv::StopBroadcastConsentRequest r, const Caller& caller) {
  const auto session = acting_session(r.session_id, caller);
  auto input = [&](BroadcastConsent& consent, const RoomRecord& room) {
    if (!room.find(session)) throw forbidden("you are not in this room");
    return consent.stop(session);
  };
  auto room = co_await change_consent(r.room_id, session, input);
  co_return consent_status(*room);
}

Task<gv::BroadcastConsentStatus> VoiceService::get_broadcast_status(gv::BroadcastStatusRequest r,
                                                                    const Caller& caller) {
  auto room = co_await require_room(r.room_id);
  if (!is_admin(caller) && !room->find(caller.session_id)) throw forbidden("you are not in this room");
  co_return consent_status(*room);
}

Task<gv::BroadcastConsentStatus> VoiceService::confirm_broadcast_started(gv::BroadcastStatusRequest r, const Caller&) {
  auto input = [](BroadcastConsent& consent, const RoomRecord&) { return consent.broadcast_started(); };
  auto room = co_await change_consent(r.room_id, {}, input);
  co_return consent_status(*room);
}

// ---------------------------------------------------------------------------
// Timeouts, eviction, disconnects

void VoiceService::arm_consent_timer(const std::string& room_id, TimeMs deadline_ms) {
  // This node checks the deadline itself; the eviction worker's sweep covers a
  // node that went away.
  auto alive = alive_;
  asio::co_spawn(
      context_.executor,
      [this, alive, room_id, deadline_ms]() -> Task<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(std::chrono::milliseconds(std::max<TimeMs>(0, deadline_ms - now_ms() + 50)));
        co_await timer.async_wait(asio::use_awaitable);
        if (!*alive) co_return;
        co_await sweep_room(room_id);
      },
      [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::warn("consent timeout check failed", {{"error", ex.what()}});
        }
      });
}

Task<void> VoiceService::sweep_room(const std::string& room_id) {
  const auto now = now_ms();
  std::vector<std::string> stale;
  std::vector<Effect> effects;
  bool delete_empty = false;
  auto change = [&](std::optional<RoomRecord>& room) {
    stale.clear();
    effects.clear();
    delete_empty = false;
    if (!room) return RoomWrite::none;
    std::vector<ParticipantHeartbeat> beats;
    for (const auto& p : room->participants) beats.push_back({p.session_id, p.last_heartbeat_ms});
    stale = stale_participants(beats, now, std::chrono::seconds(config_.participant_heartbeat_timeout_seconds));
    auto consent = BroadcastConsent::from_record(room->consent);
    auto outcome = consent.tick(now);
    effects = std::move(outcome.effects);
    room->consent = consent.record();
    if (room->participants.empty()) {
      delete_empty = should_delete_empty_room(room->auto_cleanup, room->ad_hoc, room->empty_since_ms, now,
                                              std::chrono::seconds(config_.empty_room_grace_period_seconds));
    }
    return effects.empty() ? RoomWrite::none : RoomWrite::put;
  };
  auto room = co_await rooms_->update(room_id, change);
  if (room && !effects.empty()) {
    VoiceOutbox out;
    apply_consent_effects(*room, effects, {}, config_.broadcast_consent_timeout_seconds, out);
    co_await send(std::move(out));
  }
  for (const auto& session : stale) {
    log::info("evicting participant without heartbeats", {{"roomId", room_id}, {"sessionId", session}});
    try {
      co_await remove_participant(room_id, session, true);
    } catch (const ApiError&) {
      // Left meanwhile.
    }
  }
  if (delete_empty) co_await delete_room(room_id, gv::VoiceRoomDeletedReason::empty);
}

Task<void> VoiceService::session_closed(const std::string& session_id) {
  auto room_id = co_await rooms_->room_of(session_id);
  if (!room_id) co_return;
  try {
    co_await remove_participant(*room_id, session_id, false);
  } catch (const ApiError&) {
    // Not in the room any more.
  }
}

}  // namespace onair::voice
