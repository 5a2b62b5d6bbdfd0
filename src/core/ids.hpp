#pragma once
// Random identifiers from OpenSSL's CSPRNG.
#include <string>
#include <string_view>

namespace onair {

// RFC 4122 version-4 UUID, lowercase, e.g. "3f2b...-4...".
std::string new_uuid();
// `bytes` random bytes as lowercase hex (owner tokens, message ids).
std::string random_hex(std::size_t bytes);
bool is_uuid(std::string_view text);
// A unique id for a request, cheap enough for every call: a random per-process
// prefix and a counter (not secret; use random_hex for anything that must be
// unguessable).
std::string new_request_id();

}  // namespace onair
