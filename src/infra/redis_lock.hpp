#pragma once
// DistributedLock on Redis: the lock is a string key holding the owner token,
// with a PX expiry. Acquire, extend and release are Lua scripts that compare
// the owner, so nobody but the holder can refresh or delete it.
#include <memory>
#include <string>
#include <string_view>

#include "infra/distributed_lock.hpp"
#include "infra/redis_connection.hpp"

namespace onair::infra {

class RedisLock final : public DistributedLock {
 public:
  RedisLock(RedisOptions options, BlockingPool& workers, std::string key_prefix = {});
  RedisLock(std::string_view url, BlockingPool& workers, std::string key_prefix = {});
  // Shares a connection pool (e.g. with a RedisStateStore).
  explicit RedisLock(std::shared_ptr<RedisConnection> connection, std::string key_prefix = {});

  std::string_view backend_name() const override { return "redis"; }
  // `ttl` must be positive (std::invalid_argument otherwise).
  Task<bool> try_acquire(std::string name, std::string owner, std::chrono::milliseconds ttl) override;
  Task<bool> extend(std::string name, std::string owner, std::chrono::milliseconds ttl) override;
  Task<bool> release(std::string name, std::string owner) override;

 private:
  std::shared_ptr<RedisConnection> redis_;  // passed by argument or allocated by this
  std::string prefix_;
};

}  // namespace onair::infra
