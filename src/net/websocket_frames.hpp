#pragma once
// RFC 6455 framing for the server side of a WebSocket, pure (no I/O): reading a
// client's frames into messages, writing the server's frames, and the opening
// handshake's accept key. The connection (websocket_connection.cpp) feeds bytes
// in and writes what comes out; everything the protocol can get wrong is decided
// here, where tests and fuzzers reach it directly.
//
// Scope: no extensions (permessage-deflate is never negotiated, so any RSV bit is
// a protocol error); client frames must be masked, server frames never are.
#include <cstdint>
#include <string>
#include <string_view>

namespace onair::net::ws {

enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the server sends (RFC 6455 §7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t invalid_payload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t policy = 1008;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_code

// What the next complete frame (or message) in a buffer is.
struct Event {
  enum class Kind {
    need_more,  // no complete frame yet: read more
    message,    // a whole text or binary message: `payload`, `binary`
    ping,       // answer with a pong carrying `payload`
    pong,
    close,  // the peer's close frame: `code` (1005 when it sent none), `payload` is the reason
    fail,   // a protocol violation: close with `code` and drop the connection
  };
  Kind kind = Kind::need_more;
  std::size_t consumed = 0;  // bytes of the buffer this event used up
  std::string payload;
  bool binary = false;
  std::uint16_t code = 0;
};

// Reads a client's frames. Holds a fragmented message between calls; one reader
// per connection.
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message) : max_message_(max_message) {}

  // Looks at `buffer` (bytes not yet consumed). Returns the next event; the caller
  // drops `consumed` bytes and calls again until need_more. The buffer is read only
  // (payloads are unmasked into the event), so a caller may keep its bytes in place.
  Event next(std::string_view buffer);

 private:
  std::size_t max_message_;
  // A fragmented message in progress (after a non-final text/binary frame).
  bool in_message_ = false;
  bool message_binary_ = false;
  std::string message_;
};

// Appends one unmasked, final frame of `opcode` with `payload` to `out`.
void append_frame(std::string& out, Opcode opcode, std::string_view payload);
// Appends a close frame with `code` and `reason` (cut to fit 125 bytes, at a UTF-8 boundary).
void append_close(std::string& out, std::uint16_t code, std::string_view reason);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

// True for a Sec-WebSocket-Key that is the base64 of 16 bytes.
bool valid_client_key(std::string_view key);
// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
std::string accept_key(std::string_view client_key);

}  // namespace onair::net::ws
