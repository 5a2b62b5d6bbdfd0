#pragma once
// The broadcast consent state machine of one voice room (seed 004, "Broadcast
// Consent Flow"): inactive -> pending -> approved (-> broadcasting).
//
// A room's voice is broadcast only after every participant consented: the
// requester's request is their consent, everyone else is asked; one decline,
// the timeout ("silence is not consent"), a stop, a leave or an eviction ends
// it. Pure logic: no I/O, time is passed in. Each input returns an Outcome
// whose effects the voice service turns into service events (Approved,
// Declined, Stopped), client events (ConsentRequested, Update) and
// permission-state changes (Set/ClearConsentPending -> voice:consent_pending).
//
// The service keeps the machine as a ConsentRecord in the room's state (its
// JSON is the service's business); load it with from_record, apply one input,
// store record() again, under the room's lock.
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace onair::voice {

// Milliseconds on a clock every node shares (the system clock, Unix epoch):
// the deadline is stored with the room and may be checked by another node.
using TimeMs = std::int64_t;

// Wire names: "inactive", "pending", "approved", "broadcasting".
enum class ConsentState { inactive, pending, approved, broadcasting };
// Wire names: "declined", "timeout".
enum class DeclineReason { declined, timeout };
// Wire names: "consent_revoked", "room_closed" (of the stopped event's enum).
enum class StopReason { consent_revoked, room_closed };

std::string_view to_string(ConsentState state);
std::string_view to_string(DeclineReason reason);
std::string_view to_string(StopReason reason);
std::optional<ConsentState> parse_consent_state(std::string_view text);

// Approved or broadcasting: the room's voice may be going out.
inline bool is_broadcasting(ConsentState state) {
  return state == ConsentState::approved || state == ConsentState::broadcasting;
}

namespace effect {
// Session-state changes, in the order given (before the client events, so a
// participant who is asked can already answer).
struct SetConsentPending {
  std::string session;
  bool operator==(const SetConsentPending&) const = default;
};
struct ClearConsentPending {
  std::string session;
  bool operator==(const ClearConsentPending&) const = default;
};
// Client event VoiceBroadcastConsentRequestEvent to the sessions in `to`.
struct ConsentRequested {
  std::string requested_by;
  std::vector<std::string> to;  // sorted
  bool operator==(const ConsentRequested&) const = default;
};
// Client event VoiceBroadcastConsentUpdateEvent to every room participant.
// Emitted exactly when the state or the tally changed; the counts are those
// after the change (0/0 once inactive); declined_by is set only by a decline.
struct Update {
  ConsentState state = ConsentState::inactive;
  int consented_count = 0;
  int total_count = 0;
  std::string declined_by;
  bool operator==(const Update&) const = default;
};
// Service event voice.room.broadcast.approved.
struct Approved {
  std::string requested_by;
  bool operator==(const Approved&) const = default;
};
// Service event voice.room.broadcast.declined.
struct Declined {
  std::string by;
  DeclineReason reason = DeclineReason::declined;
  bool operator==(const Declined&) const = default;
};
// Service event voice.room.broadcast.stopped.
struct Stopped {
  StopReason reason = StopReason::consent_revoked;
  bool operator==(const Stopped&) const = default;
};
}  // namespace effect

using Effect = std::variant<effect::SetConsentPending, effect::ClearConsentPending, effect::ConsentRequested,
                            effect::Update, effect::Approved, effect::Declined, effect::Stopped>;

// status 200: applied (effects may be empty when nothing changed). Otherwise
// the input was refused (404/409/403 with `error`) and nothing changed.
struct Outcome {
  int status = 200;
  std::string error;
  std::vector<Effect> effects;

  bool ok() const { return status == 200; }
};

// The stored form. Lists are sorted; deadline_ms is 0 unless pending;
// requested_by is empty when inactive.
struct ConsentRecord {
  std::string state = "inactive";
  std::string requested_by;
  std::vector<std::string> consented;
  std::vector<std::string> pending;
  std::int64_t deadline_ms = 0;

  bool operator==(const ConsentRecord&) const = default;
};

class BroadcastConsent {
 public:
  BroadcastConsent() = default;

  // Throws std::invalid_argument for a record this class cannot have written
  // (unknown state, pending without pending sessions, a session both consented
  // and pending, ...).
  static BroadcastConsent from_record(const ConsentRecord& record);
  ConsentRecord record() const;

  // Starts a round from inactive (else 409). `participants` are the room's
  // current members; the requester must be one (else 403) and has consented
  // by asking. Approved at once when nobody else is in the room.
  Outcome request(const std::string& requester, const std::vector<std::string>& participants, TimeMs now,
                  std::chrono::milliseconds timeout);
  // A pending session answers (else 404). A late answer (now >= deadline) is
  // refused with 404 and changes nothing: the timeout belongs to tick(), which
  // the service should run before every input (lazy expiry) and on a timer.
  Outcome respond(const std::string& session, bool consented, TimeMs now);
  // Expires a pending round at its deadline: Declined{first pending, timeout}.
  Outcome tick(TimeMs now);
  // Called BEFORE the participant is added to the room. While approved or
  // broadcasting a joiner without accepts_broadcast is refused (409); with it
  // they count as consented. While pending the joiner must consent too.
  Outcome join(const std::string& session, bool accepts_broadcast);
  // Leaving or eviction revokes consent: stops an approved/broadcasting room.
  Outcome leave(const std::string& session);
  Outcome evict(const std::string& session);
  // Any participant: stops a broadcast (consent_revoked) or, while pending,
  // declines. 404 when inactive, 403 from a session the round does not know.
  Outcome stop(const std::string& session);
  // The room is being deleted.
  Outcome room_closed();
  // lib-stream confirmed the RTMP output: approved -> broadcasting (else 409).
  Outcome broadcast_started();

  // The join check alone, without changing anything: 409 when a room in
  // `state` is broadcasting and the joiner did not accept it. For room rules.
  static Outcome admission(ConsentState state, bool accepts_broadcast);

  ConsentState state() const { return state_; }
  const std::string& requested_by() const { return requested_by_; }
  std::vector<std::string> consented() const;  // sorted
  std::vector<std::string> pending() const;    // sorted
  TimeMs deadline() const { return deadline_; }

 private:
  bool knows(const std::string& session) const;
  effect::Update update(std::string declined_by = {}) const;
  void reset();
  void approve(std::vector<Effect>& effects);
  void decline(const std::string& by, DeclineReason reason, std::vector<Effect>& effects);
  void end_broadcast(StopReason reason, std::vector<Effect>& effects);
  void clear_all_pending(std::vector<Effect>& effects);
  Outcome depart(const std::string& session);

  ConsentState state_ = ConsentState::inactive;
  std::string requested_by_;
  // While pending the round's participants are consented_ + pending_; while
  // approved/broadcasting they are consented_ alone.
  std::set<std::string> consented_;
  std::set<std::string> pending_;
  TimeMs deadline_ = 0;
};

}  // namespace onair::voice
