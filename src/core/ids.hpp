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

}  // namespace onair
