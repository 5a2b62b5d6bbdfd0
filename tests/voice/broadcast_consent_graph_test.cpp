// Exhaustive exploration of the broadcast consent machine: for rooms of 1-4
// participant slots, every reachable (participants present, consent record,
// consent_pending flags, oracle) state is visited by BFS and every input is
// applied to it; the invariants are checked on every transition.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "voice/broadcast_consent.hpp"

namespace onair::voice {
namespace {

constexpr TimeMs kT0 = 1'700'000'000'000;  // every non-tick input happens at kT0
constexpr std::chrono::milliseconds kTimeout{30'000};
constexpr TimeMs kDeadline = kT0 + kTimeout.count();

std::string slot_name(int i) { return "s" + std::to_string(i); }

// What the service would hold for one room, plus the test's own oracle.
struct World {
  unsigned present = 0;           // bit i: slot i is a room participant
  ConsentRecord record;           // the machine, as stored
  std::set<std::string> flagged;  // sessions holding voice:consent_pending (from Set/Clear effects)
  std::set<std::string> oracle;   // present sessions that consented in this round since they joined
  bool requested = false;         // a successful request opened this round

  std::string key() const {
    std::ostringstream k;
    k << present << '|' << record.state << '|' << record.requested_by << '|' << record.deadline_ms << "|c";
    for (const auto& s : record.consented) k << ',' << s;
    k << "|p";
    for (const auto& s : record.pending) k << ',' << s;
    k << "|f";
    for (const auto& s : flagged) k << ',' << s;
    k << "|o";
    for (const auto& s : oracle) k << ',' << s;
    k << '|' << requested;
    return k.str();
  }
};

enum class Kind {
  join_accept,
  join_plain,
  leave,
  evict,
  consent,
  decline,
  consent_late,
  decline_late,
  stop,
  request,
  tick_before,
  tick_after,
  room_closed,
  broadcast_started,
};

struct Input {
  Kind kind;
  int slot = -1;
};

std::string describe(Input in) {
  static const char* names[] = {
      "join(accept)",  "join", "leave",   "evict",        "consent",     "decline",     "consent(late)",
      "decline(late)", "stop", "request", "tick(before)", "tick(after)", "room_closed", "broadcast_started"};
  std::string s = names[static_cast<int>(in.kind)];
  if (in.slot >= 0) s += " " + slot_name(in.slot);
  return s;
}

std::vector<Input> inputs_for(const World& w, int slots) {
  std::vector<Input> inputs;
  for (int i = 0; i < slots; ++i) {
    if ((w.present & (1u << i)) == 0) {
      inputs.push_back({Kind::join_accept, i});
      inputs.push_back({Kind::join_plain, i});
    }
    for (Kind k : {Kind::leave, Kind::evict, Kind::consent, Kind::decline, Kind::consent_late, Kind::decline_late,
                   Kind::stop, Kind::request}) {
      inputs.push_back({k, i});
    }
  }
  for (Kind k : {Kind::tick_before, Kind::tick_after, Kind::room_closed, Kind::broadcast_started}) {
    inputs.push_back({k});
  }
  return inputs;
}

std::set<std::string> names_of(unsigned present, int slots) {
  std::set<std::string> names;
  for (int i = 0; i < slots; ++i) {
    if (present & (1u << i)) names.insert(slot_name(i));
  }
  return names;
}

template <class E>
int count_of(const std::vector<Effect>& effects) {
  return static_cast<int>(
      std::count_if(effects.begin(), effects.end(), [](const Effect& e) { return std::holds_alternative<E>(e); }));
}

template <class E>
const E* first_of(const std::vector<Effect>& effects) {
  for (const auto& e : effects) {
    if (const auto* x = std::get_if<E>(&e)) return x;
  }
  return nullptr;
}

ConsentState state_of(const ConsentRecord& r) { return *parse_consent_state(r.state); }

struct Explorer {
  int slots;
  std::size_t states = 0;
  std::size_t transitions = 0;
  int failures = 0;

  // Adds a failure (with the transition that caused it) and returns false.
  bool fail(const World& w, Input in, const std::string& what) {
    ++failures;
    ADD_FAILURE() << "slots=" << slots << " state {" << w.key() << "} input " << describe(in) << ": " << what;
    return false;
  }

  // Applies `in` to `w`; returns false when the room is gone (room_closed).
  bool step(const World& w, Input in, World& next) {
    auto machine = BroadcastConsent::from_record(w.record);
    const std::string s = in.slot >= 0 ? slot_name(in.slot) : std::string{};
    const auto members_set = names_of(w.present, slots);
    const std::vector<std::string> members(members_set.begin(), members_set.end());
    const bool present = in.slot >= 0 && (w.present & (1u << in.slot)) != 0;
    const ConsentState before = state_of(w.record);
    const auto before_pending = w.record.pending;
    const bool slot_pending = std::find(before_pending.begin(), before_pending.end(), s) != before_pending.end();

    Outcome out;
    switch (in.kind) {
      case Kind::join_accept:
        out = machine.join(s, true);
        break;
      case Kind::join_plain:
        out = machine.join(s, false);
        break;
      case Kind::leave:
        out = machine.leave(s);
        break;
      case Kind::evict:
        out = machine.evict(s);
        break;
      case Kind::consent:
        out = machine.respond(s, true, kT0);
        break;
      case Kind::decline:
        out = machine.respond(s, false, kT0);
        break;
      case Kind::consent_late:
        out = machine.respond(s, true, kDeadline);
        break;
      case Kind::decline_late:
        out = machine.respond(s, false, kDeadline + 1);
        break;
      case Kind::stop:
        out = machine.stop(s);
        break;
      case Kind::request:
        out = machine.request(s, members, kT0, kTimeout);
        break;
      case Kind::tick_before:
        out = machine.tick(kDeadline - 1);
        break;
      case Kind::tick_after:
        out = machine.tick(kDeadline);
        break;
      case Kind::room_closed:
        out = machine.room_closed();
        break;
      case Kind::broadcast_started:
        out = machine.broadcast_started();
        break;
    }
    ++transitions;

    next = w;
    next.record = machine.record();
    const ConsentState after = machine.state();
    const auto& fx = out.effects;

    // Apply the effects to the session states, as the service would.
    for (const auto& e : fx) {
      if (const auto* set = std::get_if<effect::SetConsentPending>(&e)) {
        if (!next.flagged.insert(set->session).second) fail(w, in, "SetConsentPending for a flagged session");
        if (!members_set.contains(set->session) && set->session != s) {
          fail(w, in, "SetConsentPending for a non-participant " + set->session);
        }
      } else if (const auto* clear = std::get_if<effect::ClearConsentPending>(&e)) {
        if (next.flagged.erase(clear->session) == 0) fail(w, in, "ClearConsentPending for an unflagged session");
      }
    }
    // Presence (the service calls join before adding the participant).
    if ((in.kind == Kind::join_accept || in.kind == Kind::join_plain) && out.ok()) next.present |= 1u << in.slot;
    if (in.kind == Kind::leave || in.kind == Kind::evict) next.present &= ~(1u << in.slot);
    // Oracle: who consented in this round (and is still here since).
    if (out.ok()) {
      if (in.kind == Kind::request) {
        next.requested = true;
        next.oracle = {s};
      }
      if (in.kind == Kind::consent) next.oracle.insert(s);
      if (in.kind == Kind::join_accept && is_broadcasting(before)) next.oracle.insert(s);
    }
    if (in.kind == Kind::leave || in.kind == Kind::evict) next.oracle.erase(s);
    if (after == ConsentState::inactive) {
      next.requested = false;
      next.oracle.clear();
    }

    // (f) Refused inputs change nothing.
    if (!out.ok()) {
      if (out.error.empty()) fail(w, in, "refusal without a message");
      if (out.status != 403 && out.status != 404 && out.status != 409) fail(w, in, "unexpected status");
      if (!fx.empty()) fail(w, in, "refused input with effects");
      if (next.record != w.record) fail(w, in, "refused input changed the record");
      if (next.present != w.present) fail(w, in, "refused input changed the room");
    }
    // Which inputs must be accepted or refused.
    auto expect_ok = [&](bool ok_expected, const char* what) {
      if (out.ok() != ok_expected) fail(w, in, std::string(what) + ": status " + std::to_string(out.status));
    };
    switch (in.kind) {
      case Kind::request:
        expect_ok(before == ConsentState::inactive && present, "request");
        break;
      case Kind::consent:
      case Kind::decline:
        expect_ok(before == ConsentState::pending && slot_pending, "respond");
        break;
      case Kind::consent_late:
      case Kind::decline_late:
        expect_ok(false, "late respond");
        if (out.status != 404) fail(w, in, "late respond is not 404");
        break;
      case Kind::stop:
        expect_ok(before != ConsentState::inactive && present, "stop");
        if (before == ConsentState::inactive && out.status != 404) fail(w, in, "stop while inactive is not 404");
        break;
      case Kind::join_plain:
        expect_ok(!is_broadcasting(before), "join without acceptBroadcast");
        break;
      case Kind::broadcast_started:
        expect_ok(before == ConsentState::approved, "broadcast_started");
        break;
      default:
        expect_ok(true, "always accepted");
    }

    // Membership: the round tracks exactly the room's participants.
    const auto now_present = names_of(next.present, slots);
    const auto consented = machine.consented();
    const auto pending = machine.pending();
    const std::set<std::string> consented_set(consented.begin(), consented.end());
    const std::set<std::string> pending_set(pending.begin(), pending.end());
    if (after == ConsentState::pending) {
      std::set<std::string> all = consented_set;
      all.insert(pending.begin(), pending.end());
      if (all != now_present || all.size() != consented.size() + pending.size()) {
        fail(w, in, "pending round does not track the participants");
      }
      if (pending.empty()) fail(w, in, "pending with nobody pending");
      if (machine.deadline() != kDeadline) fail(w, in, "wrong deadline");
    }
    if (after == ConsentState::inactive &&
        (!consented.empty() || !pending.empty() || !machine.requested_by().empty())) {
      fail(w, in, "inactive with leftovers");
    }

    // (a) Approved/broadcasting => every current participant consented in this round.
    if (is_broadcasting(after)) {
      if (consented_set != now_present || !pending.empty()) fail(w, in, "approved without everyone's consent");
      for (const auto& p : now_present) {
        if (!next.oracle.contains(p)) fail(w, in, "approved but " + p + " never consented in this round");
      }
      if (now_present.empty()) fail(w, in, "approved in an empty room");
    }
    // (b) Approved exactly on the transition into approved.
    const bool into_approved = after == ConsentState::approved && !is_broadcasting(before);
    if (count_of<effect::Approved>(fx) != (into_approved ? 1 : 0)) fail(w, in, "Approved count");
    if (const auto* a = first_of<effect::Approved>(fx); a && a->requested_by != machine.requested_by()) {
      fail(w, in, "Approved names the wrong requester");
    }
    if (after == ConsentState::broadcasting && before != ConsentState::broadcasting &&
        !(before == ConsentState::approved && in.kind == Kind::broadcast_started)) {
      fail(w, in, "broadcasting without approval and confirmation");
    }
    // (c) Decline, stop while pending, timeout => inactive + exactly one Declined.
    const bool declines = out.ok() && before == ConsentState::pending &&
                          (in.kind == Kind::decline || in.kind == Kind::stop || in.kind == Kind::tick_after);
    if (count_of<effect::Declined>(fx) != (declines ? 1 : 0)) fail(w, in, "Declined count");
    if (declines) {
      if (after != ConsentState::inactive) fail(w, in, "declined but not inactive");
      const auto* d = first_of<effect::Declined>(fx);
      const auto want = in.kind == Kind::tick_after ? effect::Declined{before_pending.front(), DeclineReason::timeout}
                                                    : effect::Declined{s, DeclineReason::declined};
      if (d && !(*d == want)) fail(w, in, "Declined names the wrong session or reason");
    }
    // (d) Leave/evict/stop while approved/broadcasting => Stopped{consent_revoked}; room_closed => room_closed.
    const bool revokes = out.ok() && is_broadcasting(before) &&
                         (((in.kind == Kind::leave || in.kind == Kind::evict) && present) || in.kind == Kind::stop);
    const bool closes = is_broadcasting(before) && in.kind == Kind::room_closed;
    if (count_of<effect::Stopped>(fx) != ((revokes || closes) ? 1 : 0)) fail(w, in, "Stopped count");
    if (revokes || closes) {
      if (after != ConsentState::inactive) fail(w, in, "stopped but not inactive");
      const auto* st = first_of<effect::Stopped>(fx);
      const auto want = closes ? StopReason::room_closed : StopReason::consent_revoked;
      if (st && st->reason != want) fail(w, in, "Stopped with the wrong reason");
    }
    if (in.kind == Kind::room_closed && after != ConsentState::inactive) fail(w, in, "room closed but not inactive");
    // (e) consent_pending flags == pending() while pending, none otherwise.
    if (after == ConsentState::pending ? next.flagged != pending_set : !next.flagged.empty()) {
      fail(w, in, "consent_pending flags do not match the pending sessions");
    }
    // (g) No approval without a request.
    if (is_broadcasting(after) && !next.requested) fail(w, in, "approved without a request");
    if (in.kind == Kind::tick_before && (next.record != w.record || !fx.empty())) fail(w, in, "early tick acted");

    // Every change is announced by exactly one Update with the new state and tally.
    const bool changed = next.record != w.record;
    if (count_of<effect::Update>(fx) != (changed ? 1 : 0)) fail(w, in, "Update count");
    if (const auto* u = first_of<effect::Update>(fx)) {
      const effect::Update want{after, static_cast<int>(consented.size()),
                                static_cast<int>(consented.size() + pending.size()),
                                declines ? first_of<effect::Declined>(fx)->by : std::string{}};
      if (!(*u == want)) fail(w, in, "Update carries the wrong state or tally");
    }
    // ConsentRequested goes to pending sessions only, after their SetConsentPending.
    for (std::size_t i = 0; i < fx.size(); ++i) {
      const auto* req = std::get_if<effect::ConsentRequested>(&fx[i]);
      if (!req) continue;
      if (req->requested_by != machine.requested_by() || req->to.empty()) fail(w, in, "bad ConsentRequested");
      for (const auto& to : req->to) {
        if (!pending_set.contains(to)) fail(w, in, "ConsentRequested to a session that is not pending");
        bool set_before = false;
        for (std::size_t j = 0; j < i; ++j) {
          const auto* set = std::get_if<effect::SetConsentPending>(&fx[j]);
          set_before = set_before || (set && set->session == to);
        }
        if (!set_before) fail(w, in, "ConsentRequested before SetConsentPending");
      }
    }
    // The stored form round-trips.
    if (BroadcastConsent::from_record(next.record).record() != next.record) fail(w, in, "record does not round-trip");

    return in.kind != Kind::room_closed;
  }

  void explore() {
    std::unordered_set<std::string> seen;
    std::deque<World> queue;
    World start;
    seen.insert(start.key());
    queue.push_back(start);
    while (!queue.empty() && failures < 20) {
      const World w = queue.front();
      queue.pop_front();
      ++states;
      for (Input in : inputs_for(w, slots)) {
        World next;
        if (step(w, in, next) && seen.insert(next.key()).second) queue.push_back(next);
      }
    }
  }
};

std::size_t power(std::size_t base, int exp) {
  std::size_t r = 1;
  while (exp-- > 0) r *= base;
  return r;
}

// The reachable states, counted by hand for n slots (the flags and the oracle are functions of the room and
// the record, so a state is a room plus a record):
// - inactive: any set of participants: 2^n;
// - approved, and broadcasting: any non-empty room, with any slot as requester (a requester who left while
//   pending still names the round): 2 * n * (2^n - 1);
// - pending (n >= 2): each slot consented, pending or absent with at least one pending, any slot as requester
//   (one who left and rejoined is pending again): n * (3^n - 2^n). With one slot a request is approved at once.
// The exploration must find exactly these: fewer means it shrank, more means a state outside the design.
std::size_t expected_states(int n) {
  const std::size_t slots = static_cast<std::size_t>(n);
  const std::size_t pending = n >= 2 ? slots * (power(3, n) - power(2, n)) : 0;
  return power(2, n) + 2 * slots * (power(2, n) - 1) + pending;
}

class BroadcastConsentGraph : public ::testing::TestWithParam<int> {};

TEST_P(BroadcastConsentGraph, EveryReachableTransitionKeepsTheInvariants) {
  const int slots = GetParam();
  const auto started = std::chrono::steady_clock::now();
  Explorer explorer{slots};
  explorer.explore();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

  RecordProperty("states", std::to_string(explorer.states));
  RecordProperty("transitions", std::to_string(explorer.transitions));
  std::cout << "[ explored ] slots=" << slots << " states=" << explorer.states
            << " transitions=" << explorer.transitions << " in " << ms << " ms\n";

  EXPECT_EQ(explorer.failures, 0);
  EXPECT_EQ(explorer.states, expected_states(slots));
  // Every state gets at least 8 inputs per slot and 4 room-wide ones.
  EXPECT_GE(explorer.transitions, explorer.states * static_cast<std::size_t>(8 * slots + 4));
}

INSTANTIATE_TEST_SUITE_P(Slots, BroadcastConsentGraph, ::testing::Values(1, 2, 3, 4),
                         [](const auto& param_info) { return std::to_string(param_info.param) + "Slots"; });

}  // namespace
}  // namespace onair::voice
