#pragma once
// Timestamps on the wire are RFC 3339 / ISO 8601 date-times in UTC.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace onair {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T09:03:07.123Z"
std::string format_rfc3339(SystemTime t);
std::string now_rfc3339();
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; nullopt when malformed.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

}  // namespace onair
