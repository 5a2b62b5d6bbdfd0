#pragma once
// Internal to src/net: a parser for the common shape of an HTTP/1.1 request
// (request line, plain headers, a Content-Length body), pure and in one pass.
// It rejects only a header section that does not end within the limit (`too_large`,
// whatever its grammar; Beast's own check depends on how the bytes are split across
// reads). Whatever else it does not handle (chunked bodies, Expect, obs-fold, bytes
// outside printable ASCII, duplicate lengths, a body over the limit, any malformed
// line) it answers `unsupported`, and the caller hands the same bytes to Beast's
// parser, whose verdict stands. So it accepts a subset of what Beast accepts, with the same
// meaning (tests/net/fast_request_parser_test.cpp checks that against Beast).
// Why: Beast's field parser was the largest user-space cost of a small API call.
#include <cstddef>
#include <string_view>

#include "net/http_types.hpp"

namespace onair::net::detail {

struct FastParse {
  enum class Outcome { done, need_more, unsupported, too_large };
  Outcome outcome = Outcome::need_more;
  std::size_t consumed = 0;  // done: bytes of the whole request, body included
  int version = 11;          // 10 or 11
  bool keep_alive = true;
  bool upgrade = false;  // Connection: upgrade with an Upgrade header
};

// Parses the request at the start of `buffer` into `out` (method, target, headers with
// lowercased names, body; path and query are left to the caller). `out` is unspecified
// unless the outcome is done.
FastParse parse_request_fast(std::string_view buffer, std::size_t header_limit, std::size_t body_limit,
                             HttpRequest& out);

}  // namespace onair::net::detail
