#pragma once
// Hex and base64 (RFC 4648, standard alphabet, padded) for byte strings held in std::string.
// Decoders are strict: they reject anything that is not the canonical encoding, so one
// value has exactly one text form (no malleable blobs or signatures).
#include <optional>
#include <string>
#include <string_view>

namespace onair::stream::security {

// Lowercase hex of `bytes`.
std::string to_hex(std::string_view bytes);
// Bytes of an even-length hex string (either case); nullopt for anything else.
std::optional<std::string> from_hex(std::string_view hex);

// Padded base64 of `bytes`.
std::string to_base64(std::string_view bytes);
// Bytes of padded base64 (length a multiple of 4, '=' only at the end, unused bits zero);
// nullopt for anything else (whitespace included).
std::optional<std::string> from_base64(std::string_view text);

}  // namespace onair::stream::security
