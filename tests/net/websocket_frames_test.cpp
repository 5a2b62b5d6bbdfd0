// The server side of RFC 6455 framing (net/websocket_frames.hpp), pure: every rule a client can
// break, fragmentation, control frames, limits, UTF-8, and the handshake key.
#include "net/websocket_frames.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onair::net::ws {
namespace {

using Kind = Event::Kind;

// A client frame: masked with `key` unless `masked` is false.
std::string client_frame(unsigned first_byte, std::string_view payload, bool masked = true,
                         std::uint64_t declared_length = ~0ULL) {
  const unsigned char key[4] = {0x11, 0x9a, 0x00, 0xff};
  const std::uint64_t n = declared_length == ~0ULL ? payload.size() : declared_length;
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  const unsigned mask_bit = masked ? 0x80 : 0;
  if (n < 126) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
  }
  return out;
}

std::string text(std::string_view payload, bool fin = true) { return client_frame((fin ? 0x80 : 0) | 1, payload); }

// Runs the reader over `bytes` until it needs more; returns every event.
std::vector<Event> read_all(FrameReader& reader, std::string_view bytes) {
  std::vector<Event> out;
  for (;;) {
    auto e = reader.next(bytes);
    bytes.remove_prefix(e.consumed);
    if (e.kind == Kind::need_more && e.consumed == 0) return out;
    if (e.kind != Kind::need_more) out.push_back(e);
    if (e.kind == Kind::fail) return out;
  }
}

TEST(WebSocketFrames, TextMessagesOfEveryLengthEncoding) {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 127u, 65535u, 65536u, 200000u}) {
    FrameReader reader(1 << 20);
    std::string payload(n, 'x');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    auto events = read_all(reader, text(payload));
    ASSERT_EQ(events.size(), 1u) << n;
    EXPECT_EQ(events[0].kind, Kind::message);
    EXPECT_FALSE(events[0].binary);
    EXPECT_EQ(events[0].payload, payload) << n;
  }
}

TEST(WebSocketFrames, BytesArrivingOneAtATimeGiveTheSameMessages) {
  const auto bytes = text("first") + client_frame(0x89, "p") + text(std::string(300, 'y'));
  FrameReader reader(1 << 20);
  std::string buffer;
  std::vector<Event> events;
  for (char c : bytes) {
    buffer.push_back(c);
    for (;;) {
      auto e = reader.next(buffer);
      buffer.erase(0, e.consumed);
      if (e.kind == Kind::need_more && e.consumed == 0) break;
      if (e.kind != Kind::need_more) events.push_back(e);
    }
  }
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].payload, "first");
  EXPECT_EQ(events[1].kind, Kind::ping);
  EXPECT_EQ(events[1].payload, "p");
  EXPECT_EQ(events[2].payload, std::string(300, 'y'));
  EXPECT_TRUE(buffer.empty());
}

TEST(WebSocketFrames, FragmentsJoinAndControlFramesMayInterleave) {
  FrameReader reader(1 << 20);
  const auto bytes = text("hel", false) + client_frame(0x89, "ping!") + client_frame(0x00, "lo ") +
                     client_frame(0x80, "world") + client_frame(0x82, std::string("\x00\xff", 2));
  auto events = read_all(reader, bytes);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Kind::ping);
  EXPECT_EQ(events[1].kind, Kind::message);
  EXPECT_EQ(events[1].payload, "hello world");
  EXPECT_EQ(events[2].kind, Kind::message);
  EXPECT_TRUE(events[2].binary);
  EXPECT_EQ(events[2].payload, std::string("\x00\xff", 2));
}

TEST(WebSocketFrames, ProtocolViolationsFailWith1002) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"unmasked", client_frame(0x81, "x", false)},
      {"rsv1 (no deflate negotiated)", client_frame(0xc1, "x")},
      {"rsv3", client_frame(0x91, "x")},
      {"reserved data opcode", client_frame(0x83, "x")},
      {"reserved control opcode", client_frame(0x8b, "x")},
      {"fragmented ping", client_frame(0x09, "x")},
      {"control frame over 125 bytes", client_frame(0x89, std::string(126, 'p'))},
      {"continuation without a message", client_frame(0x80, "x")},
      {"new message inside a fragmented one", text("a", false) + text("b")},
      {"close with a 1-byte body", client_frame(0x88, "\x03")},
      {"close code 1005 (never sent)", client_frame(0x88, "\x03\xed")},
      {"close code 999", client_frame(0x88, "\x03\xe7")},
      {"close code 2000", client_frame(0x88, "\x07\xd0")},
      {"64-bit length with the top bit", client_frame(0x81, "", true, 1ULL << 63)},
  };
  for (const auto& [name, bytes] : cases) {
    FrameReader reader(1 << 20);
    auto events = read_all(reader, bytes);
    ASSERT_FALSE(events.empty()) << name;
    EXPECT_EQ(events.back().kind, Kind::fail) << name;
    EXPECT_EQ(events.back().code, close_code::protocol_error) << name;
  }
}

TEST(WebSocketFrames, TooBigIsRefusedFromTheHeaderAlone) {
  FrameReader reader(1000);
  // Only the header of a 1 GB frame: refused before any payload is waited for.
  auto big = client_frame(0x81, "", true, 1ULL << 30).substr(0, 14);
  auto e = reader.next(big);
  EXPECT_EQ(e.kind, Kind::fail);
  EXPECT_EQ(e.code, close_code::too_big);
  // Fragments whose sum passes the limit.
  FrameReader second(1000);
  auto events = read_all(second, text(std::string(600, 'a'), false) + client_frame(0x80, std::string(600, 'b')));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().code, close_code::too_big);
  // Exactly at the limit is fine.
  FrameReader third(1000);
  events = read_all(third, text(std::string(1000, 'c')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::message);
}

TEST(WebSocketFrames, TextMustBeUtf8BinaryNeedNot) {
  FrameReader reader(1 << 20);
  auto events = read_all(reader, text("caf\xc3\xa9 \xf0\x9f\x8e\x99"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::message);
  for (std::string bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "abc\x80"}) {
    FrameReader r(1 << 20);
    auto e = read_all(r, text(bad));
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e.back().kind, Kind::fail);
    EXPECT_EQ(e.back().code, close_code::invalid_payload);
  }
  // A text message split inside a code point is judged whole.
  FrameReader split(1 << 20);
  events = read_all(split, text("\xc3", false) + client_frame(0x80, "\xa9"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, "\xc3\xa9");
  FrameReader binary(1 << 20);
  events = read_all(binary, client_frame(0x82, "\xff\xfe"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::message);
}

TEST(WebSocketFrames, CloseFramesCarryCodeAndReason) {
  FrameReader reader(1 << 20);
  auto events = read_all(reader, client_frame(0x88,
                                              "\x03\xe8"
                                              "bye"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::close);
  EXPECT_EQ(events[0].code, 1000);
  EXPECT_EQ(events[0].payload, "bye");
  FrameReader empty(1 << 20);
  events = read_all(empty, client_frame(0x88, ""));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 1005);
  FrameReader bad_reason(1 << 20);
  events = read_all(bad_reason, client_frame(0x88, "\x03\xe8\xff"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, close_code::invalid_payload);
}

TEST(WebSocketFrames, ServerFramesAreUnmaskedWithMinimalLengths) {
  for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
    std::string out;
    append_frame(out, Opcode::text, std::string(n, 'z'));
    const std::size_t header = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
    ASSERT_EQ(out.size(), header + n) << n;
    EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x81);
    EXPECT_EQ(static_cast<unsigned char>(out[1]) & 0x80, 0) << "server frames are never masked";
  }
  std::string close;
  append_close(close, close_code::policy, std::string(200, 'r') + "\xc3\xa9");
  EXPECT_EQ(static_cast<unsigned char>(close[0]), 0x88);
  EXPECT_LE(close.size(), 2u + 125u);
  EXPECT_EQ(static_cast<unsigned char>(close[2]), 1008 >> 8);
  EXPECT_EQ(static_cast<unsigned char>(close[3]), 1008 & 0xff);
  EXPECT_TRUE(valid_utf8(close.substr(4)));
}

TEST(WebSocketFrames, HandshakeKeyOfTheRfc) {
  // RFC 6455 §1.3's example.
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key(""));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));   // 15 bytes' worth
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ!!"));  // not base64
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j*Q=="));
}

}  // namespace
}  // namespace onair::net::ws
