// The fast HTTP request parser (net/detail/fast_request_parser.hpp) must read a subset of what
// Beast's parser reads, with the same meaning: whenever it says "done", Beast, given the same
// bytes, reads the same request (method, target, headers, body, version, keep-alive, upgrade,
// length). Checked over hand-picked requests and 30,000 random mutations of them.
#include "net/detail/fast_request_parser.hpp"

#include <gtest/gtest.h>

#include <random>

#include "net/detail/request_parser.hpp"

namespace onair::net::detail {
namespace {

using Outcome = FastParse::Outcome;
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kBodyLimit = 1 << 20;

struct BeastRead {
  bool done = false;
  std::size_t consumed = 0;
  HttpRequest request;
  int version = 0;
  bool keep_alive = false;
  bool upgrade = false;
};

BeastRead beast_read(std::string_view bytes) {
  RequestParser parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  BeastRead out;
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec && ec != boost::beast::http::error::need_more) return out;
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return out;
  out.done = true;
  out.consumed = used;
  out.request = parser.request();
  out.version = parser.version();
  out.keep_alive = parser.keep_alive();
  out.upgrade = parser.upgrade();
  return out;
}

// When the fast parser finishes, Beast must agree in every respect.
void expect_agreement(std::string_view bytes, bool expect_fast_done = false) {
  HttpRequest fast_request;
  const auto fast = parse_request_fast(bytes, kHeaderLimit, kBodyLimit, fast_request);
  if (expect_fast_done) {
    ASSERT_EQ(fast.outcome, Outcome::done) << bytes;
  }
  if (fast.outcome != Outcome::done) return;
  const auto beast = beast_read(bytes.substr(0, fast.consumed));
  ASSERT_TRUE(beast.done) << "fast parser accepted what Beast refuses:\n" << bytes;
  EXPECT_EQ(beast.consumed, fast.consumed) << bytes;
  EXPECT_EQ(beast.request.method, fast_request.method) << bytes;
  EXPECT_EQ(beast.request.target, fast_request.target) << bytes;
  EXPECT_EQ(beast.request.headers, fast_request.headers) << bytes;
  EXPECT_EQ(beast.request.body, fast_request.body) << bytes;
  EXPECT_EQ(beast.version, fast.version) << bytes;
  EXPECT_EQ(beast.keep_alive, fast.keep_alive) << bytes;
  EXPECT_EQ(beast.upgrade, fast.upgrade) << bytes;
}

const std::vector<std::string>& samples() {
  static const std::vector<std::string> all{
      "POST /voice/room/join HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0."
      "c2lnbmF0dXJl\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"roomId\":1}\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
      "GET /connect HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      "POST /a?x=1&y=%20 HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   padded value \t \r\nContent-Length: 0\r\n\r\n",
      "POST /b HTTP/1.1\r\nContent-Length: 5\r\nX-Tab: a\tb\r\n\r\nhello",
      "PUT /c HTTP/1.1\r\ncOnTeNt-LeNgTh: 003\r\n\r\nabc",
      "DELETE /d HTTP/1.1\r\nConnection: ,, close ,\r\n\r\n",
  };
  return all;
}

TEST(FastRequestParser, CommonRequestsAreReadAsBeastReadsThem) {
  for (const auto& s : samples()) expect_agreement(s, true);
}

TEST(FastRequestParser, TwoPipelinedRequestsAreReadOneAtATime) {
  const std::string two = samples()[1] + samples()[0];
  HttpRequest r;
  auto first = parse_request_fast(two, kHeaderLimit, kBodyLimit, r);
  ASSERT_EQ(first.outcome, Outcome::done);
  EXPECT_EQ(r.target, "/healthz");
  auto second = parse_request_fast(std::string_view(two).substr(first.consumed), kHeaderLimit, kBodyLimit, r);
  ASSERT_EQ(second.outcome, Outcome::done);
  EXPECT_EQ(r.target, "/voice/room/join");
  EXPECT_EQ(r.body, "{\"roomId\":1}\n");
}

TEST(FastRequestParser, EveryPrefixNeedsMore) {
  const auto& whole = samples()[0];
  for (std::size_t n = 0; n < whole.size(); ++n) {
    HttpRequest r;
    EXPECT_EQ(parse_request_fast(whole.substr(0, n), kHeaderLimit, kBodyLimit, r).outcome, Outcome::need_more) << n;
  }
}

TEST(FastRequestParser, WhatItLeavesToBeast) {
  const std::vector<std::string> left{
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nX : a\r\n\r\n",
      "GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n",
      "GET / HTTP/1.1\nX: bare line feeds\n\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "GET /\x7f HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: \"quoted\"\r\n\r\n",
  };
  for (const auto& s : left) {
    HttpRequest r;
    EXPECT_EQ(parse_request_fast(s, kHeaderLimit, kBodyLimit, r).outcome, Outcome::unsupported) << s;
  }
  // Past the limits: the body's, and the header section's (done or not).
  HttpRequest r;
  EXPECT_EQ(
      parse_request_fast("POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", kHeaderLimit, kBodyLimit, r).outcome,
      Outcome::unsupported);
  const std::string long_header = "GET / HTTP/1.1\r\nX: " + std::string(kHeaderLimit, 'a');
  EXPECT_EQ(parse_request_fast(long_header, kHeaderLimit, kBodyLimit, r).outcome, Outcome::too_large);
  EXPECT_EQ(parse_request_fast(long_header + "\r\n\r\n", kHeaderLimit, kBodyLimit, r).outcome, Outcome::too_large);
  // Many small fields past the limit: too large as well, whatever their grammar.
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 400; ++i) many += "X-H" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
  EXPECT_EQ(parse_request_fast(many + "\r\n", kHeaderLimit, kBodyLimit, r).outcome, Outcome::too_large);
  EXPECT_EQ(parse_request_fast(many.substr(0, 9000), kHeaderLimit, kBodyLimit, r).outcome, Outcome::need_more);
}

TEST(FastRequestParser, RandomMutationsNeverDisagreeWithBeast) {
  std::mt19937 random(20261207);
  const std::string alphabet = std::string("\r\n :,\t\"\x7f\x80\xff\0aZ9-/", 17);
  int fast_done = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s = samples()[random() % samples().size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const std::size_t at = random() % s.size();
      switch (random() % 3) {
        case 0:
          s[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), alphabet[random() % alphabet.size()]);
          break;
        default:
          s.erase(at, 1);
      }
    }
    HttpRequest r;
    if (parse_request_fast(s, kHeaderLimit, kBodyLimit, r).outcome == Outcome::done) ++fast_done;
    expect_agreement(s);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(fast_done, 3000) << "the mutations should leave many requests readable";
}

}  // namespace
}  // namespace onair::net::detail
