#pragma once
// The embedded DistributedLock: named locks of this process only (enough for
// one node). Thread-safe; every call completes inline. Each lock remembers its
// owner token and expiry; an expired lock is free for anyone.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "infra/distributed_lock.hpp"

namespace onair::infra {

class MemoryLock final : public DistributedLock {
 public:
  MemoryLock() = default;
  MemoryLock(const MemoryLock&) = delete;
  MemoryLock& operator=(const MemoryLock&) = delete;

  std::string_view backend_name() const override { return "memory"; }
  // `ttl` must be positive (std::invalid_argument otherwise).
  Task<bool> try_acquire(std::string name, std::string owner, std::chrono::milliseconds ttl) override;
  Task<bool> extend(std::string name, std::string owner, std::chrono::milliseconds ttl) override;
  Task<bool> release(std::string name, std::string owner) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Holder {
    std::string owner;
    Clock::time_point expires_at;
  };

  bool acquire_now(std::string name, std::string owner, std::chrono::milliseconds ttl);
  bool extend_now(const std::string& name, const std::string& owner, std::chrono::milliseconds ttl);
  bool release_now(const std::string& name, const std::string& owner);
  // Requires mutex_: the live holder of `name`, dropping an expired one.
  Holder* live_holder(const std::string& name, Clock::time_point now);

  // Owned by this; guarded by mutex_.
  std::mutex mutex_;
  std::unordered_map<std::string, Holder> held_;
  std::size_t acquires_since_sweep_ = 0;  // expired locks nobody touches again are swept now and then
};

}  // namespace onair::infra
