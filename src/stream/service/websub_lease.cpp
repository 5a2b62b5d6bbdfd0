#include "stream/service/websub_lease.hpp"

namespace onair::stream {

bool lease_renewal_due(std::int64_t expires_ms, std::int64_t lease_seconds, std::int64_t now_ms) {
  return expires_ms <= 0 || (expires_ms - now_ms) * 5 <= lease_seconds * 1000;
}

}  // namespace onair::stream
