// The pure decisions of the link upkeep: what a refresh answer means, when tokens and leases are due,
// which EventSub subscriptions a link needs and what the sweep does with the ones Twitch holds, and
// reading Helix answers. No server, no fake.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "stream/service/helix_streams.hpp"
#include "stream/service/platform_tokens.hpp"
#include "stream/service/twitch_eventsub_plan.hpp"
#include "stream/service/websub_lease.hpp"

namespace onair::stream {
namespace {

namespace json = boost::json;
using P = gen::stream::StreamPlatform;

TEST(StreamUpkeepLogic, RefreshAnswers) {
  auto ok = read_refresh_reply(
      P::twitch, 200,
      R"({"access_token":"a1","refresh_token":"r2","expires_in":14400,"scope":["user:read:chat","bits:read"],"token_type":"bearer"})");
  ASSERT_EQ(ok.outcome, RefreshOutcome::refreshed);
  EXPECT_EQ(ok.grant.access_token, "a1");
  EXPECT_EQ(ok.grant.refresh_token, "r2");
  EXPECT_EQ(ok.grant.expires_in, 14400);
  EXPECT_EQ(ok.grant.scopes, (std::vector<std::string>{"user:read:chat", "bits:read"}));
  auto google = read_refresh_reply(P::youtube, 200,
                                   R"({"access_token":"g1","expires_in":3599,"scope":"a b","token_type":"Bearer"})");
  ASSERT_EQ(google.outcome, RefreshOutcome::refreshed);
  EXPECT_TRUE(google.grant.refresh_token.empty());
  EXPECT_EQ(google.grant.scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read_refresh_reply(P::twitch, 200, R"({"refresh_token":"x"})").outcome, RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::twitch, 200, "not json").outcome, RefreshOutcome::failed);

  // Revoked: the user has to link again.
  EXPECT_EQ(
      read_refresh_reply(P::twitch, 400, R"({"error":"Bad Request","status":400,"message":"Invalid refresh token"})")
          .outcome,
      RefreshOutcome::revoked);
  EXPECT_EQ(read_refresh_reply(P::twitch, 401, "").outcome, RefreshOutcome::revoked);
  EXPECT_EQ(read_refresh_reply(P::youtube, 400,
                               R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})")
                .outcome,
            RefreshOutcome::revoked);
  // Our own configuration or the platform's trouble: retried, the link stays.
  EXPECT_EQ(read_refresh_reply(P::twitch, 400, R"({"status":400,"message":"invalid client"})").outcome,
            RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::twitch, 403, R"({"status":403,"message":"invalid client secret"})").outcome,
            RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::youtube, 401, R"({"error":"invalid_client"})").outcome, RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::youtube, 400, R"({"error":"invalid_request"})").outcome, RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::twitch, 503, "").outcome, RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::twitch, 429, "").outcome, RefreshOutcome::failed);
  EXPECT_EQ(read_refresh_reply(P::twitch, 0, "").outcome, RefreshOutcome::failed);
  // The problem text never echoes a body.
  const auto echoed =
      read_refresh_reply(P::youtube, 400, R"({"error":"SECRET-LOOKING-VALUE-THAT-IS-VERY-LONG-AND-ODD-1234"})");
  EXPECT_EQ(echoed.problem.find("SECRET-LOOKING"), std::string::npos);
}

TEST(StreamUpkeepLogic, WhatIsDue) {
  const std::int64_t now = 1'000'000'000;
  EXPECT_TRUE(refresh_due(now + 600'000, now, 600));
  EXPECT_TRUE(refresh_due(now - 1, now, 600));
  EXPECT_FALSE(refresh_due(now + 600'001, now, 600));
  EXPECT_FALSE(refresh_due(0, now, 600));  // unknown expiry: refreshed on a 401 only
  EXPECT_TRUE(validation_due(std::nullopt, now, 3600));
  EXPECT_TRUE(validation_due(now - 3'600'000, now, 3600));
  EXPECT_FALSE(validation_due(now - 3'599'999, now, 3600));
  // WebSub: renewed when a fifth of the lease or less is left.
  EXPECT_TRUE(lease_renewal_due(0, 432000, now));
  EXPECT_FALSE(lease_renewal_due(now + 432'000'000, 432000, now));
  EXPECT_FALSE(lease_renewal_due(now + 86'400'001, 432000, now));
  EXPECT_TRUE(lease_renewal_due(now + 86'400'000, 432000, now));
  EXPECT_TRUE(lease_renewal_due(now - 5, 432000, now));
}

TEST(StreamUpkeepLogic, TheGrantedLeaseIsAPositiveWholeNumberOfSecondsAndNoMoreThanAsked) {
  constexpr std::int64_t kAsked = 432000;
  EXPECT_EQ(granted_lease_seconds("3600", kAsked), 3600);
  EXPECT_EQ(granted_lease_seconds("1", kAsked), 1);
  EXPECT_EQ(granted_lease_seconds("432000", kAsked), kAsked);
  // More than asked (a hub that ignores the request, or a forged GET): the asked-for lease.
  EXPECT_EQ(granted_lease_seconds("828000", kAsked), kAsked);
  EXPECT_EQ(granted_lease_seconds("315360000", kAsked), kAsked);  // ten years
  for (const char* bad : {"", "0", "-5", "+5", "12s", " 12", "1.5", "315360001", "99999999999999999999999"}) {
    EXPECT_FALSE(granted_lease_seconds(std::string_view(bad), kAsked)) << bad;
  }
  EXPECT_FALSE(granted_lease_seconds(std::nullopt, kAsked));
}

EventSubSubscription sub(std::string id, const EventSubSpec& spec, std::string status = "enabled") {
  return {std::move(id), spec.type, spec.version, std::move(status), "https://onair.example/stream/webhook/twitch",
          spec.condition};
}

TEST(StreamUpkeepLogic, TheEightSubscriptionsAndTheirConditions) {
  const auto specs = twitch_subscriptions_for("42");
  ASSERT_EQ(specs.size(), 8u);
  std::map<std::string, EventSubSpec> by_type;
  for (const auto& s : specs) by_type[s.type] = s;
  EXPECT_EQ(by_type.size(), 8u);
  EXPECT_EQ(by_type["channel.follow"].version, "2");
  EXPECT_EQ(by_type["channel.follow"].condition,
            (std::map<std::string, std::string>{{"broadcaster_user_id", "42"}, {"moderator_user_id", "42"}}));
  EXPECT_EQ(by_type["channel.chat.message"].condition,
            (std::map<std::string, std::string>{{"broadcaster_user_id", "42"}, {"user_id", "42"}}));
  EXPECT_EQ(by_type["channel.raid"].condition, (std::map<std::string, std::string>{{"to_broadcaster_user_id", "42"}}));
  for (const auto* t :
       {"stream.online", "stream.offline", "channel.subscribe", "channel.subscription.message", "channel.cheer"}) {
    EXPECT_EQ(by_type[t].version, "1") << t;
    EXPECT_EQ(by_type[t].condition, (std::map<std::string, std::string>{{"broadcaster_user_id", "42"}})) << t;
  }
  const auto body = json::parse(eventsub_create_body(by_type["channel.follow"], "https://h/cb", "secret-1234567"));
  EXPECT_EQ(body.at("type").as_string(), "channel.follow");
  EXPECT_EQ(body.at("version").as_string(), "2");
  EXPECT_EQ(body.at("condition").at("moderator_user_id").as_string(), "42");
  EXPECT_EQ(body.at("transport").at("method").as_string(), "webhook");
  EXPECT_EQ(body.at("transport").at("callback").as_string(), "https://h/cb");
  EXPECT_EQ(body.at("transport").at("secret").as_string(), "secret-1234567");
}

TEST(StreamUpkeepLogic, PlanKeepsHealthyRecreatesBrokenCreatesMissing) {
  const auto specs = twitch_subscriptions_for("42");
  // Nothing there: all eight are created.
  auto plan = plan_eventsub("42", {});
  EXPECT_EQ(plan.create.size(), 8u);
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_FALSE(plan.authorization_lost);

  std::vector<EventSubSubscription> existing;
  for (std::size_t i = 0; i < specs.size(); ++i) existing.push_back(sub("id" + std::to_string(i), specs[i]));
  plan = plan_eventsub("42", existing);
  EXPECT_TRUE(plan.create.empty());
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_EQ(plan.kept.size(), 8u);

  // A pending one is healthy; a failed one and a notification_failures_exceeded one are re-created; a
  // missing one is created; a duplicate and an old version are removed.
  auto mixed = existing;
  mixed[0].status = "webhook_callback_verification_pending";
  mixed[1].status = "webhook_callback_verification_failed";
  mixed[2].status = "notification_failures_exceeded";
  mixed.erase(mixed.begin() + 3);  // channel.subscribe missing
  mixed.push_back(sub("dup", specs[4]));
  auto old_follow = specs[7];
  old_follow.version = "1";
  old_follow.condition = {{"broadcaster_user_id", "42"}};
  mixed.push_back(sub("old", old_follow));
  plan = plan_eventsub("42", mixed);
  std::set<std::string> created;
  for (const auto& c : plan.create) created.insert(c.type);
  EXPECT_EQ(created, (std::set<std::string>{specs[1].type, specs[2].type, "channel.subscribe"}));
  std::set<std::string> removed(plan.remove.begin(), plan.remove.end());
  EXPECT_EQ(removed, (std::set<std::string>{"id1", "id2", "dup", "old"}));
  EXPECT_EQ(plan.kept.size(), 5u);

  // A revocation for the authorization: the link is marked, nothing is created, everything goes.
  auto revoked = existing;
  revoked[5].status = "authorization_revoked";
  plan = plan_eventsub("42", revoked);
  EXPECT_TRUE(plan.authorization_lost);
  EXPECT_TRUE(plan.create.empty());
  EXPECT_EQ(plan.remove.size(), 8u);
  revoked[5].status = "user_removed";
  EXPECT_TRUE(plan_eventsub("42", revoked).authorization_lost);
  revoked[5].status = "version_removed";
  EXPECT_FALSE(plan_eventsub("42", revoked).authorization_lost);
}

TEST(StreamUpkeepLogic, HelixAnswers) {
  const auto page = parse_eventsub_page(R"({"data":[
      {"id":"s1","status":"enabled","type":"channel.raid","version":"1",
       "condition":{"from_broadcaster_user_id":"","to_broadcaster_user_id":"42"},
       "transport":{"method":"webhook","callback":"https://h/cb"},"created_at":"x","cost":0},
      {"id":"s2","status":"enabled","type":"stream.online","version":"1","condition":{"broadcaster_user_id":"7"},
       "transport":{"method":"webhook","callback":"https://h/cb"}}],
      "total":2,"total_cost":1,"max_total_cost":10000,"pagination":{"cursor":"abc"}})");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 2u);
  EXPECT_EQ(page->data[0].condition.size(), 1u);  // the empty from_broadcaster_user_id is not a condition
  EXPECT_EQ(broadcaster_of(page->data[0]), "42");
  EXPECT_EQ(broadcaster_of(page->data[1]), "7");
  EXPECT_EQ(page->data[0].callback, "https://h/cb");
  EXPECT_EQ(page->cursor, std::optional<std::string>("abc"));
  EXPECT_FALSE(parse_eventsub_page(R"({"data":[],"pagination":{}})")->cursor);
  EXPECT_FALSE(parse_eventsub_page("nope"));
  EXPECT_FALSE(parse_eventsub_page(R"({"error":"Unauthorized","status":401})"));

  auto live = parse_helix_stream(
      R"({"data":[{"id":"1","user_id":"42","type":"live","viewer_count":1234}],"pagination":{}})", "42");
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->live);
  EXPECT_EQ(live->viewer_count, 1234);
  auto offline = parse_helix_stream(R"({"data":[],"pagination":{}})", "42");
  ASSERT_TRUE(offline);
  EXPECT_FALSE(offline->live);
  auto other = parse_helix_stream(R"({"data":[{"user_id":"7","type":"live","viewer_count":5}]})", "42");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->live);
  EXPECT_FALSE(parse_helix_stream("[]", "42"));
}

}  // namespace
}  // namespace onair::stream
