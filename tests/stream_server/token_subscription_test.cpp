// Link upkeep against tools/fake-platforms on both backend sets: the TokenRefreshWorker (refresh before
// expiry, hourly Twitch validation, a refused refresh marks the link), the 401 -> refresh -> retry path of
// Helix calls, the WebhookSubscriptionManager (re-creating deleted / failed subscriptions, revocations for
// authorization_revoked marking the link, a missed revocation found by the sweep, unlink deleting them)
// and YouTube WebSub leases (subscribe with the derived secret, renewal at a fifth left, unsubscribe).
#include <set>
#include <thread>

#include "stream/security/token_cipher.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/token_refresh_worker.hpp"
#include "stream/service/twitch_viewer_poller.hpp"
#include "stream/service/upkeep_store.hpp"
#include "stream/service/webhook_subscription_manager.hpp"
#include "stream_server/twitch_fake_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;
namespace sec = stream::security;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "POST /oauth2/token grant_type=refresh_token" style lines of what onair asked the fake.
std::vector<std::string> calls_of(const json::array& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) {
    std::string line =
        s(r, "method") + " " + s(r, "path") + " " + std::to_string(r.as_object().at("status").to_number<int>());
    const auto body = s(r, "body");
    if (s(r, "path") == "/oauth2/token") {
      for (const auto* grant : {"refresh_token", "client_credentials", "authorization_code"}) {
        if (body.find(std::string("grant_type=") + grant) != std::string::npos) line += std::string(" ") + grant;
      }
    }
    out.push_back(line);
  }
  return out;
}

std::size_t count(const std::vector<std::string>& lines, const std::string& line) {
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

std::string header_of(const json::value& request, std::string_view name) {
  for (const auto& h : request.as_object().at("headers").as_array()) {
    std::string key(h.as_array()[0].as_string());
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key == name) return std::string(h.as_array()[1].as_string());
  }
  return {};
}

// The requests that carried `token` (a refresh grant's body, or a bearer / OAuth header): the servers set's
// shared MariaDB may hold other tests' links, which the same workers touch.
json::array carrying(const json::array& requests, const std::string& token) {
  json::array out;
  for (const auto& r : requests) {
    const auto body = s(r, "body");
    const auto auth = header_of(r, "authorization");
    if (body.find("refresh_token=" + token) != std::string::npos || auth == "OAuth " + token ||
        auth == "Bearer " + token) {
      out.push_back(r);
    }
  }
  return out;
}

class StreamUpkeepTest : public TwitchFakeTest {
 protected:
  stream::LinkRecord stored(const std::string& link_id) {
    auto link = run(service().store().link(link_id));
    if (!link) throw std::runtime_error("no link row");
    return *link;
  }
  std::optional<std::string> open(const stream::LinkRecord& link, const char* field) {
    const auto& blob = std::string(field) == "access_token" ? link.access_token : link.refresh_token;
    if (!blob) return std::nullopt;
    return service().cipher().open(*blob, sec::token_associated_data(link.link_id, field));
  }
  bool fake_token_live(const std::string& token) {
    auto state = fake_->control("GET", "/_control/state");
    for (const auto& t : state.as_object().at("twitch").as_object().at("tokens").as_array()) {
      if (s(t, "access_token") == token) return !t.as_object().at("expired").as_bool();
    }
    return false;
  }
  // Live with a viewer count (stream.online through the fake) -> the platform session id.
  std::string go_live(const std::string& link_id, int viewers = 77) {
    fake_->control(
        "POST", "/_control/twitch/stream",
        json::object{{"user_id", streamer_id_}, {"live", true}, {"viewer_count", viewers}, {"notify", true}});
    auto live = bus().wait_for("stream.platform.session.started", "linkId", link_id);
    if (!live) throw std::runtime_error("no session started");
    return s(*live, "platformSessionId");
  }
  stream::TokenRefreshWorker::Summary refresh_round() { return run(service().token_refresh_worker().run_once()); }
  stream::WebhookSubscriptionManager::Summary sweep() { return run(service().subscription_manager().run_once()); }
};

TEST_P(StreamUpkeepTest, RefreshesTokensBeforeExpiryAndValidatesTwitchHourly) {
  // The fake grants 30-second tokens: inside the 60-second lead at once.
  fake_->control("POST", "/_control/config", json::object{{"twitch", json::object{{"token_lifetime_seconds", 30}}}});
  start_with_fake({{"STREAM_TOKEN_REFRESH_LEAD_SECONDS", "60"}});
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  const auto before = stored(link_id);
  const auto old_access = open(before, "access_token");
  const auto refresh_token = open(before, "refresh_token");
  ASSERT_TRUE(old_access && refresh_token);
  EXPECT_LE(before.token_expires_ms, now_ms() + 31'000);

  auto since = fake_last_seq();
  auto summary = refresh_round();
  EXPECT_TRUE(summary.ran);
  EXPECT_GE(summary.refreshed, 1u);
  auto ours = carrying(fake_requests("/oauth2", since), *refresh_token);
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(calls_of(ours).at(0), "POST /oauth2/token 200 refresh_token");
  // A new token, sealed in SQL (not readable there), that the fake accepts.
  const auto after = stored(link_id);
  ASSERT_TRUE(after.access_token);
  EXPECT_NE(*after.access_token, *before.access_token);
  const auto new_access = open(after, "access_token");
  ASSERT_TRUE(new_access);
  EXPECT_NE(*new_access, *old_access);
  EXPECT_EQ(after.access_token->find(*new_access), std::string::npos);
  EXPECT_EQ(after.access_token->rfind("v1:", 0), 0u);
  EXPECT_TRUE(fake_token_live(*new_access));
  EXPECT_GT(after.token_expires_ms, before.token_expires_ms);
  EXPECT_EQ(open(after, "refresh_token"), refresh_token);  // Twitch kept the refresh token

  // Long-lived tokens from now on: one more refresh, then nothing is due.
  fake_->control("POST", "/_control/config", json::object{{"twitch", json::object{{"token_lifetime_seconds", 14400}}}});
  refresh_round();
  auto current = open(stored(link_id), "access_token");
  ASSERT_TRUE(current);
  EXPECT_NE(*current, *new_access);
  EXPECT_GT(stored(link_id).token_expires_ms, now_ms() + 14'000'000);
  since = fake_last_seq();
  refresh_round();
  EXPECT_TRUE(carrying(fake_requests("/oauth2", since), *refresh_token).empty());
  EXPECT_TRUE(carrying(fake_requests("/oauth2", since), *current).empty());
  EXPECT_EQ(open(stored(link_id), "access_token"), current);

  // Validation is due an hour after the last one: GET /oauth2/validate with "Authorization: OAuth <token>".
  run(service().upkeep_store().set_validated(link_id, now_ms() - 3'601'000));
  since = fake_last_seq();
  summary = refresh_round();
  EXPECT_GE(summary.validated, 1u);
  ours = carrying(fake_requests("/oauth2/validate", since), *current);
  ASSERT_EQ(ours.size(), 1u);
  EXPECT_EQ(header_of(ours[0], "authorization"), "OAuth " + *current);
  EXPECT_EQ(calls_of(ours).at(0), "GET /oauth2/validate 200");
  since = fake_last_seq();
  refresh_round();  // validated just now: not again
  EXPECT_TRUE(carrying(fake_requests("/oauth2/validate", since), *current).empty());

  // A validation answered 401 refreshes.
  fake_->control("POST", "/_control/tokens/expire", json::object{{"platform", "twitch"}, {"user_id", streamer_id_}});
  run(service().upkeep_store().set_validated(link_id, 0));
  since = fake_last_seq();
  summary = refresh_round();
  EXPECT_GE(summary.refreshed, 1u);
  EXPECT_EQ(calls_of(carrying(fake_requests("/oauth2/validate", since), *current)),
            std::vector<std::string>{"GET /oauth2/validate 401"});
  EXPECT_EQ(calls_of(carrying(fake_requests("/oauth2/token", since), *refresh_token)),
            std::vector<std::string>{"POST /oauth2/token 200 refresh_token"});
  EXPECT_TRUE(fake_token_live(*open(stored(link_id), "access_token")));
  EXPECT_EQ(stored(link_id).status, gen::stream::PlatformLinkStatus::active);
}

TEST_P(StreamUpkeepTest, AHelixCallAnswered401RefreshesOnceAndRetries) {
  start_with_fake();
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  const auto session = go_live(link_id, 321);
  fake_->control("POST", "/_control/tokens/expire", json::object{{"platform", "twitch"}, {"user_id", streamer_id_}});
  const auto since = fake_last_seq();
  EXPECT_EQ(run(service().viewer_poller().run_once()), 1u);
  const std::vector<std::string> expected = {"GET /helix/streams 401", "POST /oauth2/token 200 refresh_token",
                                             "GET /helix/streams 200"};
  EXPECT_EQ(calls_of(fake_requests("", since)), expected);
  auto status = call("/stream/session/status", json::object{{"platformSessionId", session}},
                     account_token(stored(link_id).account_id));
  EXPECT_EQ(status.json().as_object().at("currentViewerCount").to_number<int>(), 321);
  EXPECT_EQ(stored(link_id).status, gen::stream::PlatformLinkStatus::active);
}

TEST_P(StreamUpkeepTest, AManualTwitchStartReadsTheViewersAtOnce) {
  start_with_fake();
  const auto account = new_uuid();
  const auto link_id = s(link_twitch(account), "linkId");
  const auto user = account_token(account);
  // Offline: the session still starts (the game may start first), with no viewer count.
  fake_->control("POST", "/_control/twitch/stream", json::object{{"user_id", streamer_id_}, {"live", false}});
  auto early = call("/stream/session/start", json::object{{"linkId", link_id}}, user);
  ASSERT_EQ(early.status, 200) << early.body;
  EXPECT_FALSE(early.json().as_object().contains("currentViewerCount")) << early.body;
  EXPECT_EQ(early.json().as_object().at("peakViewerCount").to_number<int>(), 0);
  ASSERT_EQ(
      call("/stream/session/stop", json::object{{"platformSessionId", s(early.json(), "platformSessionId")}}, user)
          .status,
      200);
  // Live (without stream.online): the answer already carries Helix's count, and so does the peak.
  fake_->control("POST", "/_control/twitch/stream",
                 json::object{{"user_id", streamer_id_}, {"live", true}, {"viewer_count", 555}});
  const auto since = fake_last_seq();
  auto started = call("/stream/session/start", json::object{{"linkId", link_id}}, user);
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(started.json().as_object().at("currentViewerCount").to_number<int>(), 555) << started.body;
  EXPECT_EQ(started.json().as_object().at("peakViewerCount").to_number<int>(), 555);
  EXPECT_EQ(count(calls_of(fake_requests("", since)), "GET /helix/streams 200"), 1u);
}

TEST_P(StreamUpkeepTest, ARefusedRefreshTokenMarksTheLinkAndTheSweepDropsItsSubscriptions) {
  start_with_fake();
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  wait_enabled(8);
  const auto session = go_live(link_id);
  // The user disconnected: access and refresh tokens are dead.
  fake_->control("POST", "/_control/tokens/expire",
                 json::object{{"platform", "twitch"}, {"user_id", streamer_id_}, {"invalidate_refresh", true}});
  run(service().upkeep_store().set_validated(link_id, 0));
  const auto summary = refresh_round();
  EXPECT_GE(summary.revoked, 1u);
  const auto link = stored(link_id);
  EXPECT_EQ(link.status, gen::stream::PlatformLinkStatus::needs_relink);
  EXPECT_FALSE(link.access_token);
  EXPECT_FALSE(link.refresh_token);
  auto unlinked = bus().wait_for("stream.platform.unlinked", "linkId", link_id);
  ASSERT_TRUE(unlinked);
  EXPECT_EQ(s(*unlinked, "reason"), "authorization_revoked");
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "reason"), "link_removed");
  auto listed = call("/stream/platform/list", json::object{}, account_token(link.account_id));
  EXPECT_EQ(s(listed.json().at("links").as_array().at(0), "status"), "needs_relink");
  // Nothing reads that channel's notifications any more: the sweep deletes them.
  const auto swept = sweep();
  EXPECT_GE(swept.removed, 8u);
  EXPECT_TRUE(fake_subscriptions().empty());
  EXPECT_TRUE(run(service().upkeep_store().of_link(link_id)).empty());
  // Helix calls for it stop without reaching the platform.
  EXPECT_EQ(
      run(service().platform_auth().user_call(link_id, {"GET", fake_->base_url() + "/helix/users", {}, {}})).status,
      401);
}

TEST_P(StreamUpkeepTest, TheSweepRecreatesDeletedAndFailedSubscriptions) {
  start_with_fake();
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  auto subs = wait_enabled(8);
  auto ids_of = [](const json::array& list) {
    std::set<std::string> ids;
    for (const auto& sub : list) ids.insert(s(sub, "id"));
    return ids;
  };
  sweep();  // all there: nothing changes
  EXPECT_EQ(ids_of(fake_subscriptions()), ids_of(subs));

  // Someone deletes one (Helix, with an app token of the same client).
  std::string cheer_id;
  for (const auto& sub : subs) {
    if (s(sub, "type") == "channel.cheer") cheer_id = s(sub, "id");
  }
  ASSERT_FALSE(cheer_id.empty());
  auto deleted = fake_->request("DELETE", "/helix/eventsub/subscriptions?id=" + cheer_id, {},
                                {{"Authorization", "Bearer " + fake_app_token()}, {"Client-Id", kFakeTwitchClientId}});
  ASSERT_EQ(deleted.status, 204);
  EXPECT_EQ(fake_subscriptions().size(), 7u);
  auto summary = sweep();
  EXPECT_GE(summary.created, 1u);
  subs = wait_enabled(8);
  std::string new_cheer;
  for (const auto& sub : subs) {
    if (s(sub, "type") == "channel.cheer") new_cheer = s(sub, "id");
  }
  EXPECT_NE(new_cheer, cheer_id);
  bool recorded = false;
  for (const auto& r : run(service().upkeep_store().of_link(link_id))) {
    if (r.kind == "channel.cheer") recorded = r.external_id == new_cheer;
  }
  EXPECT_TRUE(recorded);

  // A verification that failed (here: a forged challenge message, which onair refuses) is re-created.
  std::string raid_id;
  for (const auto& sub : subs) {
    if (s(sub, "type") == "channel.raid") raid_id = s(sub, "id");
  }
  auto verify = fake_->control("POST", "/_control/twitch/verify",
                               json::object{{"subscription_id", raid_id}, {"forge_signature", true}});
  EXPECT_FALSE(verify.as_object().at("verified").as_bool());
  summary = sweep();
  EXPECT_GE(summary.removed, 1u);
  EXPECT_GE(summary.created, 1u);
  const auto fixed = wait_enabled(8);
  std::string new_raid;
  for (const auto& sub : fixed) {
    if (s(sub, "type") == "channel.raid") new_raid = s(sub, "id");
  }
  EXPECT_NE(new_raid, raid_id);
}

TEST_P(StreamUpkeepTest, RevocationForAuthorizationMarksTheLinkAndIsNotRecreated) {
  start_with_fake();
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  wait_enabled(8);
  auto revoked = fake_->control("POST", "/_control/twitch/revoke",
                                json::object{{"subscription_type", "channel.subscribe"},
                                             {"broadcaster_user_id", streamer_id_},
                                             {"status", "authorization_revoked"}});
  EXPECT_EQ(revoked.as_object().at("sent").as_array().at(0).as_object().at("status").to_number<int>(), 200);
  auto unlinked = bus().wait_for("stream.platform.unlinked", "linkId", link_id);
  ASSERT_TRUE(unlinked);
  EXPECT_EQ(s(*unlinked, "reason"), "authorization_revoked");
  EXPECT_EQ(stored(link_id).status, gen::stream::PlatformLinkStatus::needs_relink);
  const auto summary = sweep();
  EXPECT_GE(summary.removed, 8u);             // the revoked one and the 7 nothing reads any more
  EXPECT_TRUE(fake_subscriptions().empty());  // and none was created again
  std::size_t unlinked_events = 0;
  for (const auto& e : bus().of("stream.platform.unlinked")) unlinked_events += s(e, "linkId") == link_id;
  EXPECT_EQ(unlinked_events, 1u);
}

TEST_P(StreamUpkeepTest, ARevocationOnairMissedIsFoundByTheSweep) {
  start_with_fake();
  const auto link_id = s(link_twitch(new_uuid()), "linkId");
  wait_enabled(8);
  // The revocation message never got through (here: a forged signature, refused with 403).
  auto revoked = fake_->control("POST", "/_control/twitch/revoke",
                                json::object{{"subscription_type", "channel.cheer"},
                                             {"broadcaster_user_id", streamer_id_},
                                             {"status", "user_removed"},
                                             {"forge_signature", true}});
  EXPECT_EQ(revoked.as_object().at("sent").as_array().at(0).as_object().at("status").to_number<int>(), 403);
  EXPECT_EQ(stored(link_id).status, gen::stream::PlatformLinkStatus::active);
  const auto summary = sweep();
  EXPECT_GE(summary.links_marked, 1u);
  EXPECT_EQ(stored(link_id).status, gen::stream::PlatformLinkStatus::needs_relink);
  auto unlinked = bus().wait_for("stream.platform.unlinked", "linkId", link_id);
  ASSERT_TRUE(unlinked);
  EXPECT_EQ(s(*unlinked, "reason"), "authorization_revoked");
  EXPECT_TRUE(fake_subscriptions().empty());
}

TEST_P(StreamUpkeepTest, UnlinkDeletesTheSubscriptionsAndRevokesTheToken) {
  start_with_fake();
  const auto account = new_uuid();
  const auto link_id = s(link_twitch(account), "linkId");
  wait_enabled(8);
  const auto access = open(stored(link_id), "access_token");
  const auto since = fake_last_seq();
  ASSERT_EQ(call("/stream/platform/unlink", json::object{{"linkId", link_id}}, account_token(account)).status, 200);
  EXPECT_TRUE(fake_subscriptions().empty());
  const auto calls = calls_of(fake_requests("", since));
  EXPECT_EQ(count(calls, "DELETE /helix/eventsub/subscriptions 204"), 8u) << ::testing::PrintToString(calls);
  EXPECT_EQ(count(calls, "POST /oauth2/revoke 200"), 1u) << ::testing::PrintToString(calls);
  EXPECT_FALSE(fake_token_live(*access));
  EXPECT_TRUE(run(service().upkeep_store().of_link(link_id)).empty());
}

TEST_P(StreamUpkeepTest, YouTubeWebSubLeaseIsRequestedRenewedAndDropped) {
  start_with_fake({{"STREAM_WEBSUB_LEASE_SECONDS", "7200"}});
  const auto account = new_uuid();
  const auto detail = link_youtube(account);
  const auto link_id = s(detail, "linkId");
  EXPECT_EQ(s(detail, "platformChannelId"), youtube_channel_);
  const auto topic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=" + youtube_channel_;
  auto hub_subscription = [&]() -> std::optional<json::value> {
    for (int i = 0; i < 100; ++i) {
      auto all = fake_->control("GET", "/_control/websub/subscriptions").as_object().at("data").as_array();
      for (const auto& sub : all) {
        if (s(sub, "topic") == topic && sub.as_object().at("active").as_bool()) return sub;
      }
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  };
  auto sub = hub_subscription();
  ASSERT_TRUE(sub) << "the hub holds no verified subscription for the channel";
  EXPECT_EQ(s(*sub, "callback"), public_base() + "/stream/webhook/youtube");
  EXPECT_EQ(sub->as_object().at("lease_seconds").to_number<int>(), 7200);
  EXPECT_EQ(s(*sub, "secret"), sec::derive_websub_secret(kWebSubToken, topic));
  auto records = run(service().upkeep_store().of_link(link_id));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].topic.value_or(""), topic);
  EXPECT_NEAR(static_cast<double>(records[0].expires_ms), static_cast<double>(now_ms() + 7'200'000), 60'000.0);
  // Plenty of lease left: the sweep leaves it. A fifth left: renewed.
  const auto encoded_topic = stream::PlatformHttp::url_encode(topic);
  auto subscribes = [&](std::int64_t since) {
    std::size_t n = 0;
    for (const auto& r : fake_requests("/subscribe", since)) {
      const auto body = s(r, "body");
      n += body.find("hub.mode=subscribe") != std::string::npos && body.find(encoded_topic) != std::string::npos;
    }
    return n;
  };
  auto since = fake_last_seq();
  sweep();
  EXPECT_EQ(subscribes(since), 0u);
  // Four fifths of the lease have passed (the record moved back in time).
  auto record = records[0];
  record.updated_ms = now_ms() - 7'200'000 * 4 / 5 - 1000;
  record.expires_ms = record.updated_ms + 7'200'000;
  run(service().upkeep_store().put(record));
  since = fake_last_seq();
  EXPECT_GE(sweep().subscribed, 1u);
  EXPECT_EQ(subscribes(since), 1u);
  EXPECT_GT(run(service().upkeep_store().of_link(link_id)).at(0).expires_ms, now_ms() + 7'000'000);

  // Unlink: unsubscribed at the hub (verified by onair's answer to the hub's GET), record gone.
  ASSERT_EQ(call("/stream/platform/unlink", json::object{{"linkId", link_id}}, account_token(account)).status, 200);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = true;
    const auto hub = fake_->control("GET", "/_control/websub/subscriptions");
    for (const auto& held : hub.as_object().at("data").as_array()) {
      if (s(held, "topic") == topic) gone = false;
    }
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone);
  EXPECT_TRUE(run(service().upkeep_store().of_link(link_id)).empty());
}

// The hub may grant less than asked (WebSub 5.1: hub.lease_seconds of the verification is the hub's
// decision): the record runs for the granted lease, and renewal follows that lease.
TEST_P(StreamUpkeepTest, AWebSubLeaseRunsForWhatTheHubGranted) {
  start_with_fake({{"STREAM_WEBSUB_LEASE_SECONDS", "7200"}});
  fake_->control("POST", "/_control/config", json::object{{"websub", json::object{{"max_lease_seconds", 3600}}}});
  const auto link_id = s(link_youtube(new_uuid()), "linkId");
  std::vector<stream::SubscriptionRecord> records;
  for (int i = 0; i < 100; ++i) {
    records = run(service().upkeep_store().of_link(link_id));
    if (records.size() == 1 && records[0].expires_ms < now_ms() + 5'000'000) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].status, "requested");
  EXPECT_NEAR(static_cast<double>(records[0].expires_ms), static_cast<double>(now_ms() + 3'600'000), 60'000.0);
  // 1000 s of the granted hour left: more than a fifth of it, so the sweep leaves it (of the 7200 s asked
  // for it would be less than a fifth, and renewed).
  auto record = records[0];
  record.updated_ms = now_ms() - 2'600'000;
  record.expires_ms = record.updated_ms + 3'600'000;
  run(service().upkeep_store().put(record));
  const auto since = fake_last_seq();
  sweep();
  const auto encoded_topic = stream::PlatformHttp::url_encode(record.topic.value_or(""));
  for (const auto& r : fake_requests("/subscribe", since)) {
    EXPECT_EQ(s(r, "body").find(encoded_topic), std::string::npos) << "renewed too early";
  }
  ASSERT_EQ(
      call("/stream/platform/unlink", json::object{{"linkId", link_id}}, account_token(stored(link_id).account_id))
          .status,
      200);
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamUpkeepTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
