// HmacSha256Key (the webhook hot path's HMAC keyed once): RFC 4231 vectors (also checked with
// `openssl dgst -sha256 -mac HMAC`), parts concatenate, the pooled contexts reset between
// messages, concurrent use from several threads, and the keyed Twitch verification giving the
// same verdicts as the one that keys per call.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "stream/security/encoding.hpp"
#include "stream/security/hmac_sha256_key.hpp"
#include "stream/security/webhook_signature.hpp"

namespace onair::stream::security {
namespace {

using namespace std::chrono_literals;

std::string hex(const HmacSha256Key::Digest& d) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

TEST(SecurityHmacKey, Rfc4231Vectors) {
  EXPECT_EQ(hex(HmacSha256Key(std::string(20, '\x0b')).mac({"Hi There"})),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(HmacSha256Key("Jefe").mac({"what do ya want for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Keys longer than SHA-256's block are hashed first.
  const HmacSha256Key long_key(std::string(131, '\xaa'));
  EXPECT_EQ(hex(long_key.mac({"Test Using Larger Than Block-Size Key - Hash Key First"})),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(
      hex(long_key.mac({"This is a test using a larger than block-size key and a larger than block-size data. The "
                        "key needs to be hashed before being used by the HMAC algorithm."})),
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(SecurityHmacKey, PartsConcatenateAndEmptyKeyIsLegal) {
  const HmacSha256Key key("Jefe");
  EXPECT_EQ(hex(key.mac({"what do ", "", "ya want", " for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(HmacSha256Key("").mac({"body"})), to_hex(hmac_sha256("", "body")));
  EXPECT_EQ(hex(key.mac({})), to_hex(hmac_sha256("Jefe", "")));
}

TEST(SecurityHmacKey, EachMessageStartsFromTheKeyedState) {
  const HmacSha256Key key("s3cRe7-onair-test");
  // Alternating messages on the same (pooled) context: nothing of one leaks into the next.
  for (int i = 0; i < 50; ++i) {
    const auto message = "message " + std::to_string(i % 3);
    ASSERT_EQ(hex(key.mac({message})), to_hex(hmac_sha256("s3cRe7-onair-test", message))) << i;
  }
}

TEST(SecurityHmacKey, ConcurrentThreadsGetTheirOwnContexts) {
  const HmacSha256Key key("shared-secret-of-the-webhooks");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const auto message = "thread " + std::to_string(t) + " message " + std::to_string(i);
        if (hex(key.mac({message})) != to_hex(hmac_sha256("shared-secret-of-the-webhooks", message))) ++wrong[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

TEST(SecurityHmacKey, KeyedTwitchVerificationMatchesTheUnkeyedOne) {
  const std::string secret = "s3cRe7-onair-test", id = "e76c6bd4-55c9-4987-8304-da1588d8988b",
                    ts = "2019-11-16T10:11:12.634234626Z", body = R"({"subscription":{},"event":{}})";
  const auto now = *parse_rfc3339(ts) + 1s;
  const auto signature = sign_twitch_eventsub(secret, id, ts, body);
  const HmacSha256Key key(secret);
  const HmacSha256Key other("another-secret-entirely");
  struct Case {
    TwitchSignedHeaders headers;
    std::string body;
    WallClock::time_point at;
  };
  std::string bad_hex = signature;
  bad_hex.back() = 'g';
  const std::string sha1 = "sha1=" + signature.substr(7);  // headers are views: the strings must outlive them
  const std::vector<Case> cases = {
      {{id, ts, signature}, body, now},               // ok
      {{id, ts, signature}, body + " ", now},         // tampered body
      {{id, ts, signature}, body, now + 11min},       // stale
      {{id, ts, signature}, body, now - 2min},        // from the future
      {{"", ts, signature}, body, now},               // missing id
      {{"id with space", ts, signature}, body, now},  // malformed id
      {{id, "yesterday", signature}, body, now},      // malformed timestamp
      {{id, ts, "sha256=abc"}, body, now},            // malformed signature
      {{id, ts, bad_hex}, body, now},                 // not hex
      {{id, ts, sha1}, body, now},
  };
  const Verdict expected[] = {Verdict::ok,
                              Verdict::bad_signature,
                              Verdict::stale,
                              Verdict::from_future,
                              Verdict::missing_header,
                              Verdict::malformed_id,
                              Verdict::malformed_timestamp,
                              Verdict::malformed_signature,
                              Verdict::malformed_signature,
                              Verdict::malformed_signature};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    EXPECT_EQ(verify_twitch_eventsub(key, c.headers, c.body, c.at), expected[i]) << i;
    EXPECT_EQ(verify_twitch_eventsub(secret, c.headers, c.body, c.at), expected[i]) << i;
  }
  EXPECT_EQ(verify_twitch_eventsub(other, cases[0].headers, body, now), Verdict::bad_signature);
  // The key object keeps verifying after a failure (its contexts are reset, not poisoned).
  EXPECT_EQ(verify_twitch_eventsub(key, cases[0].headers, body, now), Verdict::ok);
}

}  // namespace
}  // namespace onair::stream::security
