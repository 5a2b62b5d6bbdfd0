#pragma once
// Mutual exclusion across onair instances: a named lock held by one owner
// token until released or expired. Backends: MemoryLock, RedisLock.
#include <chrono>
#include <string>
#include <string_view>

#include "core/task.hpp"

namespace onair::infra {

class DistributedLock {
 public:
  virtual ~DistributedLock() = default;
  virtual std::string_view backend_name() const = 0;
  // True when `owner` now holds `name` (a holder re-acquiring refreshes its expiry).
  virtual Task<bool> try_acquire(std::string name, std::string owner, std::chrono::milliseconds ttl) = 0;
  // Extends the expiry; false when `owner` no longer holds the lock.
  virtual Task<bool> extend(std::string name, std::string owner, std::chrono::milliseconds ttl) = 0;
  // Releases only when held by `owner`; returns whether it was.
  virtual Task<bool> release(std::string name, std::string owner) = 0;
};

}  // namespace onair::infra
