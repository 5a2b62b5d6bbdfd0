// Readable stories of the broadcast consent machine (the exhaustive
// exploration is in broadcast_consent_graph_test.cpp).
#include "voice/broadcast_consent.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace onair::voice {
namespace {

using namespace std::chrono_literals;
using Sessions = std::vector<std::string>;

constexpr TimeMs kNow = 1'700'000'000'000;
const Sessions kRoom = {"alice", "bob", "carol"};

template <class E>
std::vector<E> all_of(const Outcome& out) {
  std::vector<E> found;
  for (const auto& e : out.effects) {
    if (const auto* x = std::get_if<E>(&e)) found.push_back(*x);
  }
  return found;
}

BroadcastConsent pending_round() {
  BroadcastConsent c;
  EXPECT_TRUE(c.request("alice", kRoom, kNow, 30s).ok());
  return c;
}

TEST(BroadcastConsent, RequestAsksEveryoneElse) {
  BroadcastConsent c;
  auto out = c.request("alice", kRoom, kNow, 30s);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(c.state(), ConsentState::pending);
  EXPECT_EQ(c.requested_by(), "alice");
  EXPECT_EQ(c.consented(), Sessions{"alice"});
  EXPECT_EQ(c.pending(), (Sessions{"bob", "carol"}));
  EXPECT_EQ(c.deadline(), kNow + 30'000);
  const std::vector<Effect> want = {effect::SetConsentPending{"bob"}, effect::SetConsentPending{"carol"},
                                    effect::ConsentRequested{"alice", {"bob", "carol"}},
                                    effect::Update{ConsentState::pending, 1, 3, ""}};
  EXPECT_EQ(out.effects, want);
}

TEST(BroadcastConsent, OneDeclineDeclinesTheRound) {
  auto c = pending_round();
  ASSERT_TRUE(c.respond("bob", true, kNow + 1000).ok());
  auto out = c.respond("carol", false, kNow + 2000);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(c.state(), ConsentState::inactive);
  EXPECT_EQ(all_of<effect::Declined>(out), (std::vector<effect::Declined>{{"carol", DeclineReason::declined}}));
  EXPECT_EQ(all_of<effect::ClearConsentPending>(out), (std::vector<effect::ClearConsentPending>{{"carol"}}));
  EXPECT_EQ(all_of<effect::Update>(out), (std::vector<effect::Update>{{ConsentState::inactive, 0, 0, "carol"}}));
  EXPECT_TRUE(all_of<effect::Approved>(out).empty());
}

TEST(BroadcastConsent, AllConsentApprovesThenALeaveStopsIt) {
  auto c = pending_round();
  auto first = c.respond("bob", true, kNow + 1000);
  EXPECT_EQ(all_of<effect::Update>(first), (std::vector<effect::Update>{{ConsentState::pending, 2, 3, ""}}));
  EXPECT_TRUE(all_of<effect::Approved>(first).empty());

  auto last = c.respond("carol", true, kNow + 2000);
  EXPECT_EQ(c.state(), ConsentState::approved);
  EXPECT_EQ(all_of<effect::Approved>(last), (std::vector<effect::Approved>{{"alice"}}));
  EXPECT_EQ(c.consented(), kRoom);
  EXPECT_TRUE(c.pending().empty());

  ASSERT_TRUE(c.broadcast_started().ok());
  EXPECT_EQ(c.state(), ConsentState::broadcasting);

  auto gone = c.leave("bob");
  EXPECT_EQ(c.state(), ConsentState::inactive);
  EXPECT_EQ(all_of<effect::Stopped>(gone), (std::vector<effect::Stopped>{{StopReason::consent_revoked}}));
}

TEST(BroadcastConsent, SilenceIsNotConsent) {
  auto c = pending_round();
  ASSERT_TRUE(c.respond("carol", true, kNow + 1000).ok());
  EXPECT_TRUE(c.tick(kNow + 29'999).effects.empty());
  EXPECT_EQ(c.state(), ConsentState::pending);
  // A late yes is refused and changes nothing; the timeout decides.
  EXPECT_EQ(c.respond("bob", true, kNow + 30'000).status, 404);
  EXPECT_EQ(c.state(), ConsentState::pending);

  auto out = c.tick(kNow + 30'000);
  EXPECT_EQ(c.state(), ConsentState::inactive);
  EXPECT_EQ(all_of<effect::Declined>(out), (std::vector<effect::Declined>{{"bob", DeclineReason::timeout}}));
  EXPECT_EQ(all_of<effect::ClearConsentPending>(out), (std::vector<effect::ClearConsentPending>{{"bob"}}));
}

TEST(BroadcastConsent, AloneInTheRoomIsApprovedAtOnce) {
  BroadcastConsent c;
  auto out = c.request("alice", {"alice"}, kNow, 30s);
  EXPECT_EQ(c.state(), ConsentState::approved);
  const std::vector<Effect> want = {effect::Update{ConsentState::approved, 1, 1, ""}, effect::Approved{"alice"}};
  EXPECT_EQ(out.effects, want);
}

TEST(BroadcastConsent, RefusalsChangeNothing) {
  BroadcastConsent c;
  EXPECT_EQ(c.request("mallory", kRoom, kNow, 30s).status, 403);
  EXPECT_EQ(c.stop("alice").status, 404);
  EXPECT_EQ(c.stop("alice").error, "room is not broadcasting");
  EXPECT_EQ(c.respond("bob", true, kNow).status, 404);
  EXPECT_EQ(c.broadcast_started().status, 409);
  EXPECT_EQ(c.record(), ConsentRecord{});

  c = pending_round();
  const auto before = c.record();
  auto again = c.request("bob", kRoom, kNow, 30s);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error, "broadcast already active or consent pending");
  EXPECT_EQ(c.respond("alice", true, kNow).status, 404);  // the requester is not asked
  EXPECT_EQ(c.respond("mallory", true, kNow).error, "no pending consent request for this session");
  EXPECT_EQ(c.stop("mallory").status, 403);
  EXPECT_EQ(c.record(), before);
}

TEST(BroadcastConsent, JoinWhilePendingMustConsentToo) {
  auto c = pending_round();
  auto out = c.join("dave", false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(c.pending(), (Sessions{"bob", "carol", "dave"}));
  const std::vector<Effect> want = {effect::SetConsentPending{"dave"}, effect::ConsentRequested{"alice", {"dave"}},
                                    effect::Update{ConsentState::pending, 1, 4, ""}};
  EXPECT_EQ(out.effects, want);
  ASSERT_TRUE(c.respond("bob", true, kNow).ok());
  ASSERT_TRUE(c.respond("carol", true, kNow).ok());
  EXPECT_EQ(c.state(), ConsentState::pending);
  ASSERT_TRUE(c.respond("dave", true, kNow).ok());
  EXPECT_EQ(c.state(), ConsentState::approved);
}

TEST(BroadcastConsent, JoinOfAKnownParticipantChangesNothing) {
  auto c = pending_round();
  const auto before = c.record();
  for (const auto& s : kRoom) {
    EXPECT_TRUE(c.join(s, false).effects.empty());
    EXPECT_TRUE(c.join(s, true).effects.empty());
  }
  EXPECT_EQ(c.record(), before);
  BroadcastConsent idle;
  EXPECT_TRUE(idle.join("alice", false).effects.empty());
  EXPECT_TRUE(idle.leave("alice").effects.empty());
  EXPECT_TRUE(idle.tick(kNow + 1'000'000).effects.empty());
}

TEST(BroadcastConsent, JoiningABroadcastNeedsAcceptance) {
  auto c = pending_round();
  c.respond("bob", true, kNow);
  c.respond("carol", true, kNow);
  ASSERT_EQ(c.state(), ConsentState::approved);
  auto refused = c.join("dave", false);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error, "room is broadcasting; join with acceptBroadcast to join anyway");
  EXPECT_EQ(c.consented(), kRoom);

  auto accepted = c.join("dave", true);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(c.state(), ConsentState::approved);
  EXPECT_EQ(c.consented(), (Sessions{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(all_of<effect::Update>(accepted), (std::vector<effect::Update>{{ConsentState::approved, 4, 4, ""}}));
}

TEST(BroadcastConsent, LeavingWhilePendingCanCompleteTheRound) {
  auto c = pending_round();
  c.respond("bob", true, kNow);
  auto out = c.evict("carol");  // the only one still pending
  EXPECT_EQ(c.state(), ConsentState::approved);
  EXPECT_EQ(all_of<effect::ClearConsentPending>(out), (std::vector<effect::ClearConsentPending>{{"carol"}}));
  EXPECT_EQ(all_of<effect::Approved>(out).size(), 1u);
  EXPECT_EQ(c.consented(), (Sessions{"alice", "bob"}));
}

TEST(BroadcastConsent, EmptyRoomEndsTheRoundQuietly) {
  BroadcastConsent c;
  c.request("alice", {"alice", "bob"}, kNow, 30s);
  c.leave("alice");
  EXPECT_EQ(c.state(), ConsentState::pending);
  auto out = c.leave("bob");
  EXPECT_EQ(c.state(), ConsentState::inactive);
  const std::vector<Effect> want = {effect::ClearConsentPending{"bob"},
                                    effect::Update{ConsentState::inactive, 0, 0, ""}};
  EXPECT_EQ(out.effects, want);
}

TEST(BroadcastConsent, StopWhilePendingIsADecline) {
  auto c = pending_round();
  auto out = c.stop("alice");
  EXPECT_EQ(c.state(), ConsentState::inactive);
  EXPECT_EQ(all_of<effect::Declined>(out), (std::vector<effect::Declined>{{"alice", DeclineReason::declined}}));
  EXPECT_EQ(all_of<effect::ClearConsentPending>(out).size(), 2u);
}

TEST(BroadcastConsent, RoomClose) {
  auto c = pending_round();
  auto cancelled = c.room_closed();
  EXPECT_EQ(c.state(), ConsentState::inactive);
  EXPECT_TRUE(all_of<effect::Declined>(cancelled).empty());
  EXPECT_EQ(all_of<effect::ClearConsentPending>(cancelled).size(), 2u);

  c.request("alice", {"alice"}, kNow, 30s);
  auto closed = c.room_closed();
  EXPECT_EQ(all_of<effect::Stopped>(closed), (std::vector<effect::Stopped>{{StopReason::room_closed}}));
  EXPECT_TRUE(c.room_closed().effects.empty());
}

TEST(BroadcastConsent, RecordRoundTripsAndRejectsNonsense) {
  auto c = pending_round();
  c.respond("bob", true, kNow);
  const auto r = c.record();
  EXPECT_EQ(r.state, "pending");
  EXPECT_EQ(r.requested_by, "alice");
  EXPECT_EQ(r.consented, (Sessions{"alice", "bob"}));
  EXPECT_EQ(r.pending, Sessions{"carol"});
  EXPECT_EQ(r.deadline_ms, kNow + 30'000);
  auto copy = BroadcastConsent::from_record(r);
  EXPECT_EQ(copy.record(), r);
  ASSERT_TRUE(copy.respond("carol", true, kNow).ok());
  EXPECT_EQ(copy.state(), ConsentState::approved);

  EXPECT_THROW(BroadcastConsent::from_record({"on_air", "alice", {}, {}, 0}), std::invalid_argument);
  EXPECT_THROW(BroadcastConsent::from_record({"pending", "alice", {"alice"}, {}, 1}), std::invalid_argument);
  EXPECT_THROW(BroadcastConsent::from_record({"pending", "alice", {"bob"}, {"bob"}, 1}), std::invalid_argument);
  EXPECT_THROW(BroadcastConsent::from_record({"approved", "alice", {"alice"}, {"bob"}, 0}), std::invalid_argument);
  EXPECT_EQ(BroadcastConsent::from_record({"inactive", "x", {"y"}, {"z"}, 5}).record(), ConsentRecord{});
}

TEST(BroadcastConsent, Names) {
  EXPECT_EQ(to_string(ConsentState::broadcasting), "broadcasting");
  EXPECT_EQ(parse_consent_state("approved"), ConsentState::approved);
  EXPECT_EQ(parse_consent_state("Approved"), std::nullopt);
  EXPECT_EQ(to_string(DeclineReason::timeout), "timeout");
  EXPECT_EQ(to_string(StopReason::consent_revoked), "consent_revoked");
  EXPECT_EQ(to_string(StopReason::room_closed), "room_closed");
}

}  // namespace
}  // namespace onair::voice
