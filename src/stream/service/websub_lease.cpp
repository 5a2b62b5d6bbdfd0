#include "stream/service/websub_lease.hpp"

#include <charconv>

namespace onair::stream {

std::optional<std::int64_t> granted_lease_seconds(std::optional<std::string_view> text, std::int64_t asked_seconds) {
  constexpr std::int64_t kTenYears = 10LL * 365 * 24 * 3600;
  if (!text || text->empty()) return std::nullopt;
  std::int64_t seconds = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, seconds);
  if (ec != std::errc() || ptr != end || seconds <= 0 || seconds > kTenYears) return std::nullopt;
  return seconds < asked_seconds ? seconds : asked_seconds;
}

bool lease_renewal_due(std::int64_t expires_ms, std::int64_t lease_seconds, std::int64_t now_ms) {
  return expires_ms <= 0 || (expires_ms - now_ms) * 5 <= lease_seconds * 1000;
}

}  // namespace onair::stream
