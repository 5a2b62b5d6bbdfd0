#include "net/websocket_frames.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace onair::net::ws {
namespace {

constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

Event fail(std::uint16_t code) {
  Event e;
  e.kind = Event::Kind::fail;
  e.code = code;
  return e;
}

std::uint64_t read_be(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// Client payloads are XORed with a 4-byte key; 8 bytes a step, then the tail.
void unmask(std::string& out, const char* data, std::size_t n, const unsigned char key[4]) {
  out.resize(n);
  char* dst = out.data();
  unsigned char key8[8];  // the key twice, in memory order, as one word
  for (int i = 0; i < 8; ++i) key8[i] = key[i % 4];
  std::uint64_t wide;
  std::memcpy(&wide, key8, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= wide;
    std::memcpy(dst + i, &chunk, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<char>(static_cast<unsigned char>(data[i]) ^ key[i % 4]);
}

bool valid_close_code(std::uint64_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

Event FrameReader::next(std::string_view buffer) {
  if (buffer.size() < 2) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer.data());
  const bool fin = (bytes[0] & 0x80) != 0;
  const unsigned opcode = bytes[0] & 0x0f;
  if ((bytes[0] & 0x70) != 0) return fail(close_code::protocol_error);  // no extension was negotiated
  if ((bytes[1] & 0x80) == 0) return fail(close_code::protocol_error);  // a client must mask
  const bool control = (opcode & 0x08) != 0;
  if (opcode != 0 && opcode != 1 && opcode != 2 && opcode != 8 && opcode != 9 && opcode != 10) {
    return fail(close_code::protocol_error);
  }
  std::uint64_t length = bytes[1] & 0x7f;
  std::size_t pos = 2;
  if (control && (!fin || length > 125)) return fail(close_code::protocol_error);
  if (length == 126) {
    if (buffer.size() < 4) return {};
    length = read_be(bytes + 2, 2);
    pos = 4;
  } else if (length == 127) {
    if (buffer.size() < 10) return {};
    length = read_be(bytes + 2, 8);
    if ((length >> 63) != 0) return fail(close_code::protocol_error);
    pos = 10;
  }
  // Refused before its payload is waited for: a client cannot make the server buffer more.
  if (!control) {
    const std::uint64_t already = in_message_ ? message_.size() : 0;
    if (length > max_message_ || already + length > max_message_) return fail(close_code::too_big);
    if (opcode == 0 && !in_message_) return fail(close_code::protocol_error);  // nothing to continue
    if (opcode != 0 && in_message_) return fail(close_code::protocol_error);   // a message is unfinished
  }
  if (buffer.size() - pos < 4 + length) return {};
  unsigned char key[4];
  std::memcpy(key, bytes + pos, 4);
  pos += 4;
  const auto n = static_cast<std::size_t>(length);

  Event e;
  e.consumed = pos + n;
  switch (opcode) {
    case 8: {  // close
      std::string body;
      unmask(body, buffer.data() + pos, n, key);
      e.kind = Event::Kind::close;
      if (n == 0) {
        e.code = 1005;  // "no status received"
        return e;
      }
      if (n == 1) return fail(close_code::protocol_error);
      const auto code = read_be(reinterpret_cast<const unsigned char*>(body.data()), 2);
      if (!valid_close_code(code)) return fail(close_code::protocol_error);
      e.code = static_cast<std::uint16_t>(code);
      e.payload = body.substr(2);
      if (!valid_utf8(e.payload)) return fail(close_code::invalid_payload);
      return e;
    }
    case 9:
    case 10:
      e.kind = opcode == 9 ? Event::Kind::ping : Event::Kind::pong;
      unmask(e.payload, buffer.data() + pos, n, key);
      return e;
    case 0: {  // continuation
      std::string part;
      unmask(part, buffer.data() + pos, n, key);
      message_ += part;
      if (!fin) return e;  // kind need_more with bytes consumed: call again
      in_message_ = false;
      e.kind = Event::Kind::message;
      e.binary = message_binary_;
      e.payload = std::move(message_);
      message_.clear();
      break;
    }
    default: {  // text or binary
      std::string data;
      unmask(data, buffer.data() + pos, n, key);
      if (!fin) {
        in_message_ = true;
        message_binary_ = opcode == 2;
        message_ = std::move(data);
        return e;
      }
      e.kind = Event::Kind::message;
      e.binary = opcode == 2;
      e.payload = std::move(data);
    }
  }
  if (!e.binary && !valid_utf8(e.payload)) return fail(close_code::invalid_payload);
  return e;
}

void append_frame(std::string& out, Opcode opcode, std::string_view payload) {
  const auto n = payload.size();
  out.push_back(static_cast<char>(0x80 | static_cast<unsigned>(opcode)));
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xff));
  }
  out.append(payload);
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason) {
  std::size_t keep = std::min<std::size_t>(reason.size(), 123);
  // Never cut inside a UTF-8 sequence: back up over continuation bytes.
  while (keep > 0 && keep < reason.size() && (static_cast<unsigned char>(reason[keep]) & 0xc0) == 0x80) --keep;
  std::string body;
  body.push_back(static_cast<char>(code >> 8));
  body.push_back(static_cast<char>(code & 0xff));
  body.append(reason.substr(0, keep));
  append_frame(out, Opcode::close, body);
}

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    // ASCII runs, 8 bytes a step (nearly every JSON frame is ASCII).
    if (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    p += extra + 1;
  }
  return true;
}

bool valid_client_key(std::string_view key) {
  // 16 bytes in base64: 22 characters, then "==".
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i) {
    if (!is_base64_char(key[i])) return false;
  }
  return true;
}

std::string accept_key(std::string_view client_key) {
  std::string input(client_key);
  input.append(kHandshakeGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr);
  std::string out(4 * ((digest_size + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(digest_size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace onair::net::ws
