#include "infra/memory_lock.hpp"

#include <stdexcept>
#include <utility>

namespace onair::infra {
namespace {

constexpr std::size_t kSweepEvery = 1024;

void check_ttl(std::chrono::milliseconds ttl) {
  if (ttl <= std::chrono::milliseconds::zero()) throw std::invalid_argument("lock: TTL must be positive");
}

}  // namespace

MemoryLock::Holder* MemoryLock::live_holder(const std::string& name, Clock::time_point now) {
  auto it = held_.find(name);
  if (it == held_.end()) return nullptr;
  if (it->second.expires_at <= now) {
    held_.erase(it);
    return nullptr;
  }
  return &it->second;
}

bool MemoryLock::acquire_now(std::string name, std::string owner, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (++acquires_since_sweep_ >= kSweepEvery) {
    acquires_since_sweep_ = 0;
    std::erase_if(held_, [now](const auto& item) { return item.second.expires_at <= now; });
  }
  if (Holder* holder = live_holder(name, now)) {
    if (holder->owner != owner) return false;
    holder->expires_at = now + ttl;
    return true;
  }
  held_.insert_or_assign(std::move(name), Holder{std::move(owner), now + ttl});
  return true;
}

bool MemoryLock::extend_now(const std::string& name, const std::string& owner, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  Holder* holder = live_holder(name, now);
  if (!holder || holder->owner != owner) return false;
  holder->expires_at = now + ttl;
  return true;
}

bool MemoryLock::release_now(const std::string& name, const std::string& owner) {
  std::lock_guard lock(mutex_);
  Holder* holder = live_holder(name, Clock::now());
  if (!holder || holder->owner != owner) return false;
  held_.erase(name);
  return true;
}

Task<bool> MemoryLock::try_acquire(std::string name, std::string owner, std::chrono::milliseconds ttl) {
  co_return acquire_now(std::move(name), std::move(owner), ttl);
}

Task<bool> MemoryLock::extend(std::string name, std::string owner, std::chrono::milliseconds ttl) {
  co_return extend_now(name, owner, ttl);
}

Task<bool> MemoryLock::release(std::string name, std::string owner) { co_return release_now(name, owner); }

}  // namespace onair::infra
