// Webhook verification: HMACs checked against `openssl dgst -hmac` (values pasted below),
// Twitch EventSub (signature, timestamp window both ways, headers, ids), WebSub X-Hub-Signature
// (sha1 / sha256 / sha512), the custom scheme, the derived WebSub secrets and RFC 3339 parsing.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>

#include "stream/security/encoding.hpp"
#include "stream/security/webhook_signature.hpp"

namespace onair::stream::security {
namespace {

using namespace std::chrono_literals;

// printf '%s' "$ID$TS$BODY" | openssl dgst -sha256 -hmac "$SECRET"
constexpr std::string_view kTwitchSecret = "s3cRe7-onair-test";
constexpr std::string_view kTwitchId = "e76c6bd4-55c9-4987-8304-da1588d8988b";
constexpr std::string_view kTwitchTimestamp = "2019-11-16T10:11:12.634234626Z";
constexpr std::string_view kTwitchBody =
    R"({"subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","type":"channel.follow","version":"2","status":"enabled"},"event":{"user_id":"1234"}})";
constexpr std::string_view kTwitchSignature = "sha256=b9e3c79e247a4edb3802230d83aa3f69cec08ab69bf28dc1be2b38226fd7d169";

WallClock::time_point twitch_stamp() { return *parse_rfc3339(kTwitchTimestamp); }
TwitchSignedHeaders twitch_headers(std::string_view signature = kTwitchSignature,
                                   std::string_view timestamp = kTwitchTimestamp, std::string_view id = kTwitchId) {
  return {id, timestamp, signature};
}

TEST(SecurityHmac, Rfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SecurityTwitch, KnownAnswerSignature) {
  EXPECT_EQ(sign_twitch_eventsub(kTwitchSecret, kTwitchId, kTwitchTimestamp, kTwitchBody), kTwitchSignature);
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(), kTwitchBody, twitch_stamp() + 5s), Verdict::ok);
  // Upper-case hex is the same digest.
  std::string upper(kTwitchSignature);
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(upper), kTwitchBody, twitch_stamp()), Verdict::ok);
}

TEST(SecurityTwitch, TamperingIsABadSignature) {
  const auto now = twitch_stamp() + 1s;
  std::string body(kTwitchBody);
  for (std::size_t i = 0; i < body.size(); i += 7) {
    auto changed = body;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(), changed, now), Verdict::bad_signature) << i;
  }
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(), body + " ", now), Verdict::bad_signature);
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(), body.substr(1), now), Verdict::bad_signature);
  // Another message id or timestamp under the same signature.
  EXPECT_EQ(
      verify_twitch_eventsub(kTwitchSecret,
                             twitch_headers(kTwitchSignature, kTwitchTimestamp, "e76c6bd4-55c9-4987-8304-da1588d8988c"),
                             kTwitchBody, now),
      Verdict::bad_signature);
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(kTwitchSignature, "2019-11-16T10:11:12.634234627Z"),
                                   kTwitchBody, now),
            Verdict::bad_signature);
  // A flipped digest bit.
  std::string sig(kTwitchSignature);
  sig.back() = sig.back() == '9' ? '8' : '9';
  EXPECT_EQ(verify_twitch_eventsub(kTwitchSecret, twitch_headers(sig), kTwitchBody, now), Verdict::bad_signature);
}

TEST(SecurityTwitch, WrongSecret) {
  const auto now = twitch_stamp();
  EXPECT_EQ(verify_twitch_eventsub("s3cRe7-onair-tesT", twitch_headers(), kTwitchBody, now), Verdict::bad_signature);
  EXPECT_EQ(verify_twitch_eventsub("", twitch_headers(), kTwitchBody, now), Verdict::bad_signature);
}

TEST(SecurityTwitch, StaleAndFutureTimestamps) {
  const auto stamp = twitch_stamp();
  const auto verify = [&](WallClock::time_point now, ReplayWindow w = {}) {
    return verify_twitch_eventsub(kTwitchSecret, twitch_headers(), kTwitchBody, now, w);
  };
  EXPECT_EQ(verify(stamp + 10min), Verdict::ok);  // exactly 10 minutes old: still accepted
  EXPECT_EQ(verify(stamp + 10min + 1ns), Verdict::stale);
  EXPECT_EQ(verify(stamp + 24h), Verdict::stale);
  EXPECT_EQ(verify(stamp - 60s), Verdict::ok);  // within the future skew
  EXPECT_EQ(verify(stamp - 61s), Verdict::from_future);
  EXPECT_EQ(verify(stamp - 24h), Verdict::from_future);
  // The window comes from the configuration.
  EXPECT_EQ(verify(stamp + 31s, {30s, 0s}), Verdict::stale);
  EXPECT_EQ(verify(stamp - 1s, {30s, 0s}), Verdict::from_future);
  EXPECT_EQ(verify(stamp, {30s, 0s}), Verdict::ok);
}

TEST(SecurityTwitch, ForgedSignatureWinsOverStaleness) {
  // An unsigned delivery learns nothing about the clock policy.
  EXPECT_EQ(verify_twitch_eventsub("wrong", twitch_headers(), kTwitchBody, twitch_stamp() + 48h),
            Verdict::bad_signature);
}

TEST(SecurityTwitch, MalformedHeaders) {
  const auto now = twitch_stamp();
  const auto verify = [&](TwitchSignedHeaders h) { return verify_twitch_eventsub(kTwitchSecret, h, kTwitchBody, now); };
  EXPECT_EQ(verify(twitch_headers("")), Verdict::missing_header);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, "")), Verdict::missing_header);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, kTwitchTimestamp, "")), Verdict::missing_header);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, kTwitchTimestamp, "id with space")), Verdict::malformed_id);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, kTwitchTimestamp, std::string(257, 'a'))), Verdict::malformed_id);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, "1573899072")), Verdict::malformed_timestamp);
  EXPECT_EQ(verify(twitch_headers(kTwitchSignature, "2019-11-16 10:11:12Z")), Verdict::malformed_timestamp);
  EXPECT_EQ(verify(twitch_headers("b9e3c79e247a4edb3802230d83aa3f69cec08ab69bf28dc1be2b38226fd7d169")),
            Verdict::malformed_signature);  // no "sha256=" prefix
  EXPECT_EQ(verify(twitch_headers("sha1=830f5ac7f1b390782c22d3a750ca1aa9ce989802")), Verdict::malformed_signature);
  EXPECT_EQ(verify(twitch_headers(std::string(kTwitchSignature).substr(0, 70))), Verdict::malformed_signature);
  EXPECT_EQ(verify(twitch_headers(std::string(kTwitchSignature) + "00")), Verdict::malformed_signature);
  EXPECT_EQ(verify(twitch_headers("sha256=zz" + std::string(kTwitchSignature).substr(9))),
            Verdict::malformed_signature);
}

TEST(SecurityWebSub, KnownAnswerSignatures) {
  // printf '%s' "$ATOM" | openssl dgst -sha1|-sha256|-sha512 -hmac hub-secret
  constexpr std::string_view kAtom =
      R"(<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><yt:videoId>VIDEO123</yt:videoId></entry></feed>)";
  constexpr std::string_view kSha1 = "sha1=830f5ac7f1b390782c22d3a750ca1aa9ce989802";
  constexpr std::string_view kSha256 = "sha256=8dc647d916e2573861ead8197da5136d094a15acbed2a1fd7a65462be09b7184";
  constexpr std::string_view kSha512 =
      "sha512="
      "3a60f5cdc08b1fc17b828b81719f94f0bc5ecba4b8f5c636814d990762998498e2c16537e04eaacb597c873439bbe4134222c67307"
      "5969b81e0ec8f9f57196d5";
  EXPECT_EQ(sign_websub("hub-secret", kAtom, WebSubAlgorithm::sha1), kSha1);
  EXPECT_EQ(sign_websub("hub-secret", kAtom, WebSubAlgorithm::sha256), kSha256);
  EXPECT_EQ(sign_websub("hub-secret", kAtom, WebSubAlgorithm::sha512), kSha512);
  for (auto sig : {kSha1, kSha256, kSha512}) {
    EXPECT_EQ(verify_websub("hub-secret", sig, kAtom), Verdict::ok) << sig;
    EXPECT_EQ(verify_websub("other-secret", sig, kAtom), Verdict::bad_signature) << sig;
    EXPECT_EQ(verify_websub("hub-secret", sig, std::string(kAtom) + "\n"), Verdict::bad_signature) << sig;
  }
  const auto sha384 = sign_websub("hub-secret", kAtom, WebSubAlgorithm::sha384);
  EXPECT_EQ(sha384.size(), 7u + 96u);
  EXPECT_EQ(verify_websub("hub-secret", sha384, kAtom), Verdict::ok);
  // Form: the prefix fixes the digest length; unknown algorithms and bare digests are refused.
  EXPECT_EQ(verify_websub("hub-secret", "", kAtom), Verdict::missing_header);
  EXPECT_EQ(verify_websub("hub-secret", "sha1=" + std::string(kSha256.substr(7)), kAtom), Verdict::malformed_signature);
  EXPECT_EQ(verify_websub("hub-secret", "md5=0123456789abcdef0123456789abcdef", kAtom), Verdict::malformed_signature);
  EXPECT_EQ(verify_websub("hub-secret", kSha1.substr(5), kAtom), Verdict::malformed_signature);
  EXPECT_EQ(verify_websub("hub-secret", "SHA1=830f5ac7f1b390782c22d3a750ca1aa9ce989802", kAtom),
            Verdict::malformed_signature);
}

TEST(SecurityWebSub, DerivedTopicSecrets) {
  // printf '%s' "onair.websub.v1:$TOPIC" | openssl dgst -sha256 -hmac master-token
  constexpr std::string_view kTopic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UC123";
  const auto secret = derive_websub_secret("master-token", kTopic);
  EXPECT_EQ(secret, "09619df6662f9f59ffd0926c90605db244ca829e6b3423a46052c7a2d50eff74");
  EXPECT_NE(derive_websub_secret("master-token", std::string(kTopic) + "4"), secret);
  EXPECT_NE(derive_websub_secret("master-tokem", kTopic), secret);
  // A delivery signed with one topic's secret does not verify under another's.
  const auto sig = sign_websub(secret, "<feed/>", WebSubAlgorithm::sha1);
  EXPECT_EQ(verify_websub(derive_websub_secret("master-token", "https://other"), sig, "<feed/>"),
            Verdict::bad_signature);
}

// printf '%s' "v1:$LINK:$DELIVERY:$TS:$BODY" | openssl dgst -sha256 -hmac "$SECRET"
constexpr std::string_view kCustomSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr std::string_view kLinkId = "3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b";
constexpr std::string_view kDelivery = "delivery-0001";
constexpr std::string_view kCustomTimestamp = "1700000000";
constexpr std::string_view kCustomBody = R"({"type":"chat_message","viewerId":"v1","text":"PogChamp"})";
constexpr std::string_view kCustomSignature = "sha256=fcbdc2a7634e18d1e9b631d3e3f9f9b36ff4d53fdf248488cf0d29262092fcce";
const WallClock::time_point kCustomStamp{std::chrono::seconds(1700000000)};

CustomSignedHeaders custom_headers(std::string_view signature = kCustomSignature,
                                   std::string_view timestamp = kCustomTimestamp, std::string_view delivery = kDelivery,
                                   std::string_view link = kLinkId) {
  return {link, delivery, timestamp, signature};
}

TEST(SecurityCustomWebhook, KnownAnswerAndTampering) {
  EXPECT_EQ(sign_custom_webhook(kCustomSecret, kLinkId, kDelivery, kCustomTimestamp, kCustomBody), kCustomSignature);
  const auto now = kCustomStamp + 2s;
  EXPECT_EQ(verify_custom_webhook(kCustomSecret, custom_headers(), kCustomBody, now), Verdict::ok);
  EXPECT_EQ(verify_custom_webhook(kCustomSecret, custom_headers(), std::string(kCustomBody) + " ", now),
            Verdict::bad_signature);
  EXPECT_EQ(verify_custom_webhook("1" + std::string(kCustomSecret.substr(1)), custom_headers(), kCustomBody, now),
            Verdict::bad_signature);  // wrong key
  // The signature binds the link, the delivery id and the timestamp.
  EXPECT_EQ(verify_custom_webhook(
                kCustomSecret,
                custom_headers(kCustomSignature, kCustomTimestamp, kDelivery, "00000000-0000-0000-0000-000000000000"),
                kCustomBody, now),
            Verdict::bad_signature);
  EXPECT_EQ(verify_custom_webhook(kCustomSecret, custom_headers(kCustomSignature, kCustomTimestamp, "delivery-0002"),
                                  kCustomBody, now),
            Verdict::bad_signature);
  EXPECT_EQ(verify_custom_webhook(kCustomSecret, custom_headers(kCustomSignature, "1700000001"), kCustomBody, now),
            Verdict::bad_signature);
}

TEST(SecurityCustomWebhook, TimestampWindowAndForm) {
  const auto verify = [&](WallClock::time_point now, CustomSignedHeaders h = custom_headers()) {
    return verify_custom_webhook(kCustomSecret, h, kCustomBody, now);
  };
  EXPECT_EQ(verify(kCustomStamp + 600s), Verdict::ok);
  EXPECT_EQ(verify(kCustomStamp + 601s), Verdict::stale);
  EXPECT_EQ(verify(kCustomStamp - 60s), Verdict::ok);
  EXPECT_EQ(verify(kCustomStamp - 61s), Verdict::from_future);
  const auto now = kCustomStamp;
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, "+1700000000")), Verdict::malformed_timestamp);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, "1700000000.5")), Verdict::malformed_timestamp);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, "99999999999")), Verdict::malformed_timestamp);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, "9999999999")), Verdict::malformed_timestamp);  // > 2200
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, "2023-11-14T22:13:20Z")), Verdict::malformed_timestamp);
  // Ids may not contain the ':' of the framing (nor anything outside [A-Za-z0-9._-]).
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, kCustomTimestamp, "a:b")), Verdict::malformed_id);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, kCustomTimestamp, std::string(129, 'a'))),
            Verdict::malformed_id);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, kCustomTimestamp, kDelivery, "link:1")),
            Verdict::malformed_id);
  EXPECT_EQ(verify(now, custom_headers(kCustomSignature, kCustomTimestamp, "")), Verdict::missing_header);
  EXPECT_EQ(verify(now, custom_headers("")), Verdict::missing_header);
  EXPECT_EQ(verify(now, custom_headers("sha1=830f5ac7f1b390782c22d3a750ca1aa9ce989802")), Verdict::malformed_signature);
}

TEST(SecurityCustomWebhook, GeneratedSecrets) {
  const auto a = generate_webhook_secret();
  const auto b = generate_webhook_secret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_TRUE(from_hex(a).has_value());
  EXPECT_NE(a, b);
  const auto sig = sign_custom_webhook(a, kLinkId, kDelivery, kCustomTimestamp, kCustomBody);
  EXPECT_EQ(verify_custom_webhook(a, custom_headers(sig), kCustomBody, kCustomStamp), Verdict::ok);
  EXPECT_EQ(verify_custom_webhook(b, custom_headers(sig), kCustomBody, kCustomStamp), Verdict::bad_signature);
}

TEST(SecurityRfc3339, ParsesTwitchAndOffsetForms) {
  using namespace std::chrono;
  const auto base = sys_days(year(2019) / 11 / 16) + 10h + 11min + 12s;
  EXPECT_EQ(parse_rfc3339("2019-11-16T10:11:12Z"), base);
  EXPECT_EQ(parse_rfc3339("2019-11-16t10:11:12z"), base);
  EXPECT_EQ(parse_rfc3339("2019-11-16T10:11:12.634234626Z"), base + 634234626ns);
  EXPECT_EQ(parse_rfc3339("2019-11-16T10:11:12.5Z"), base + 500ms);
  EXPECT_EQ(parse_rfc3339("2019-11-16T12:11:12+02:00"), base);
  EXPECT_EQ(parse_rfc3339("2019-11-16T05:41:12-04:30"), base);
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), sys_days(year(2017) / 1 / 1));  // leap second
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00Z"), sys_days(year(2024) / 2 / 29));
}

TEST(SecurityRfc3339, RejectsMalformedText) {
  for (std::string_view bad : {"",
                               "2019-11-16",
                               "2019-11-16T10:11:12",
                               "2019-11-16T10:11:12.Z",
                               "2019-11-16T10:11:12.1234567890Z",
                               "2019-13-16T10:11:12Z",
                               "2019-02-30T10:11:12Z",
                               "2023-02-29T00:00:00Z",
                               "2019-11-16T24:00:00Z",
                               "2019-11-16T10:60:12Z",
                               "2019-11-16T10:11:61Z",
                               "2019-11-16T10:11:12+2:00",
                               "2019-11-16T10:11:12+02:00x",
                               "2019-11-16T10:11:12Zjunk",
                               "2019/11/16T10:11:12Z",
                               " 2019-11-16T10:11:12Z",
                               "1899-12-31T23:59:59Z",
                               "2201-01-01T00:00:00Z",
                               "9999-12-31T23:59:59Z",
                               "2019-11-16T10:11:12+24:00"}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(SecurityVerdict, Names) {
  EXPECT_EQ(to_string(Verdict::ok), "ok");
  EXPECT_EQ(to_string(Verdict::stale), "stale timestamp");
  EXPECT_EQ(to_string(Verdict::bad_signature), "bad signature");
}

}  // namespace
}  // namespace onair::stream::security
