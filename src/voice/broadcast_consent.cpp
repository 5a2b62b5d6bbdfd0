#include "voice/broadcast_consent.hpp"

#include <stdexcept>
#include <utility>

namespace onair::voice {
namespace {

Outcome refused(int status, std::string error) { return Outcome{status, std::move(error), {}}; }

std::vector<std::string> sorted(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

}  // namespace

std::string_view to_string(ConsentState state) {
  switch (state) {
    case ConsentState::inactive:
      return "inactive";
    case ConsentState::pending:
      return "pending";
    case ConsentState::approved:
      return "approved";
    case ConsentState::broadcasting:
      return "broadcasting";
  }
  return "inactive";
}

std::string_view to_string(DeclineReason reason) { return reason == DeclineReason::timeout ? "timeout" : "declined"; }

std::string_view to_string(StopReason reason) {
  return reason == StopReason::room_closed ? "room_closed" : "consent_revoked";
}

std::optional<ConsentState> parse_consent_state(std::string_view text) {
  for (auto s : {ConsentState::inactive, ConsentState::pending, ConsentState::approved, ConsentState::broadcasting}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

BroadcastConsent BroadcastConsent::from_record(const ConsentRecord& record) {
  auto state = parse_consent_state(record.state);
  if (!state) throw std::invalid_argument("broadcast consent record: unknown state '" + record.state + "'");
  BroadcastConsent c;
  if (*state == ConsentState::inactive) return c;  // nothing else is meaningful
  c.state_ = *state;
  c.requested_by_ = record.requested_by;
  c.consented_.insert(record.consented.begin(), record.consented.end());
  c.pending_.insert(record.pending.begin(), record.pending.end());
  c.deadline_ = *state == ConsentState::pending ? record.deadline_ms : 0;
  for (const auto& s : c.pending_) {
    if (c.consented_.contains(s)) {
      throw std::invalid_argument("broadcast consent record: '" + s + "' is both consented and pending");
    }
  }
  if (c.requested_by_.empty()) throw std::invalid_argument("broadcast consent record: no requester");
  if (*state == ConsentState::pending && c.pending_.empty()) {
    throw std::invalid_argument("broadcast consent record: pending without pending sessions");
  }
  if (is_broadcasting(*state) && (!c.pending_.empty() || c.consented_.empty())) {
    throw std::invalid_argument("broadcast consent record: approved with missing consent");
  }
  return c;
}

ConsentRecord BroadcastConsent::record() const {
  return ConsentRecord{std::string(to_string(state_)), requested_by_, sorted(consented_), sorted(pending_), deadline_};
}

std::vector<std::string> BroadcastConsent::consented() const { return sorted(consented_); }
std::vector<std::string> BroadcastConsent::pending() const { return sorted(pending_); }

bool BroadcastConsent::knows(const std::string& session) const {
  return consented_.contains(session) || pending_.contains(session);
}

effect::Update BroadcastConsent::update(std::string declined_by) const {
  return effect::Update{state_, static_cast<int>(consented_.size()),
                        static_cast<int>(consented_.size() + pending_.size()), std::move(declined_by)};
}

void BroadcastConsent::reset() {
  state_ = ConsentState::inactive;
  requested_by_.clear();
  consented_.clear();
  pending_.clear();
  deadline_ = 0;
}

void BroadcastConsent::clear_all_pending(std::vector<Effect>& effects) {
  for (const auto& s : pending_) effects.emplace_back(effect::ClearConsentPending{s});
  pending_.clear();
}

void BroadcastConsent::approve(std::vector<Effect>& effects) {
  state_ = ConsentState::approved;
  deadline_ = 0;
  effects.emplace_back(update());
  effects.emplace_back(effect::Approved{requested_by_});
}

void BroadcastConsent::decline(const std::string& by, DeclineReason reason, std::vector<Effect>& effects) {
  std::string who = by;  // `by` may refer into pending_
  clear_all_pending(effects);
  reset();
  effects.emplace_back(update(who));
  effects.emplace_back(effect::Declined{std::move(who), reason});
}

void BroadcastConsent::end_broadcast(StopReason reason, std::vector<Effect>& effects) {
  reset();
  effects.emplace_back(update());
  effects.emplace_back(effect::Stopped{reason});
}

Outcome BroadcastConsent::admission(ConsentState state, bool accepts_broadcast) {
  if (is_broadcasting(state) && !accepts_broadcast) {
    return refused(409, "room is broadcasting; join with acceptBroadcast to join anyway");
  }
  return {};
}

Outcome BroadcastConsent::request(const std::string& requester, const std::vector<std::string>& participants,
                                  TimeMs now, std::chrono::milliseconds timeout) {
  if (state_ != ConsentState::inactive) return refused(409, "broadcast already active or consent pending");
  std::set<std::string> members(participants.begin(), participants.end());
  if (!members.contains(requester)) return refused(403, "only a room participant can request a broadcast");

  Outcome out;
  state_ = ConsentState::pending;
  requested_by_ = requester;
  consented_ = {requester};
  members.erase(requester);
  pending_ = std::move(members);
  deadline_ = now + timeout.count();
  if (pending_.empty()) {
    approve(out.effects);
    return out;
  }
  for (const auto& s : pending_) out.effects.emplace_back(effect::SetConsentPending{s});
  out.effects.emplace_back(effect::ConsentRequested{requested_by_, sorted(pending_)});
  out.effects.emplace_back(update());
  return out;
}

Outcome BroadcastConsent::respond(const std::string& session, bool consented, TimeMs now) {
  if (state_ != ConsentState::pending || !pending_.contains(session)) {
    return refused(404, "no pending consent request for this session");
  }
  if (now >= deadline_) return refused(404, "the consent request has expired");

  Outcome out;
  if (!consented) {
    decline(session, DeclineReason::declined, out.effects);
    return out;
  }
  pending_.erase(session);
  consented_.insert(session);
  out.effects.emplace_back(effect::ClearConsentPending{session});
  if (pending_.empty()) {
    approve(out.effects);
  } else {
    out.effects.emplace_back(update());
  }
  return out;
}

Outcome BroadcastConsent::tick(TimeMs now) {
  Outcome out;
  if (state_ == ConsentState::pending && now >= deadline_) {
    decline(*pending_.begin(), DeclineReason::timeout, out.effects);
  }
  return out;
}

Outcome BroadcastConsent::join(const std::string& session, bool accepts_broadcast) {
  if (auto admitted = admission(state_, accepts_broadcast); !admitted.ok()) return admitted;
  Outcome out;
  if (state_ == ConsentState::inactive || knows(session)) return out;
  if (state_ == ConsentState::pending) {
    pending_.insert(session);
    out.effects.emplace_back(effect::SetConsentPending{session});
    out.effects.emplace_back(effect::ConsentRequested{requested_by_, {session}});
  } else {
    consented_.insert(session);  // joined a broadcasting room knowingly
  }
  out.effects.emplace_back(update());
  return out;
}

Outcome BroadcastConsent::depart(const std::string& session) {
  Outcome out;
  if (state_ == ConsentState::inactive || !knows(session)) return out;
  if (is_broadcasting(state_)) {
    end_broadcast(StopReason::consent_revoked, out.effects);
    return out;
  }
  consented_.erase(session);
  if (pending_.erase(session) > 0) out.effects.emplace_back(effect::ClearConsentPending{session});
  if (consented_.empty() && pending_.empty()) {
    reset();  // the room emptied: the round ends without a decision
    out.effects.emplace_back(update());
  } else if (pending_.empty()) {
    approve(out.effects);  // everyone still here has consented
  } else {
    out.effects.emplace_back(update());
  }
  return out;
}

Outcome BroadcastConsent::leave(const std::string& session) { return depart(session); }
Outcome BroadcastConsent::evict(const std::string& session) { return depart(session); }

Outcome BroadcastConsent::stop(const std::string& session) {
  if (state_ == ConsentState::inactive) return refused(404, "room is not broadcasting");
  if (!knows(session)) return refused(403, "only a room participant can stop a broadcast");
  Outcome out;
  if (state_ == ConsentState::pending) {
    decline(session, DeclineReason::declined, out.effects);
  } else {
    end_broadcast(StopReason::consent_revoked, out.effects);
  }
  return out;
}

Outcome BroadcastConsent::room_closed() {
  Outcome out;
  if (is_broadcasting(state_)) {
    end_broadcast(StopReason::room_closed, out.effects);
  } else if (state_ == ConsentState::pending) {
    clear_all_pending(out.effects);
    reset();
    out.effects.emplace_back(update());
  }
  return out;
}

Outcome BroadcastConsent::broadcast_started() {
  if (state_ != ConsentState::approved) return refused(409, "broadcast is not approved");
  state_ = ConsentState::broadcasting;
  Outcome out;
  out.effects.emplace_back(update());
  return out;
}

}  // namespace onair::voice
