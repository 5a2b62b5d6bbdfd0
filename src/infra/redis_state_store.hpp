#pragma once
// StateStore on Redis, for several onair nodes sharing state. A value is a
// hash {d: data, v: version} (read atomically with HMGET); versions come from
// one INCR counter per key prefix, so they never repeat; writes are Lua
// scripts (type check, compare version, write, TTL in one step). Sets are
// Redis sets. Every key is stored under `key_prefix`, which callers never see.
#include <memory>
#include <string>
#include <string_view>

#include "infra/redis_connection.hpp"
#include "infra/state_store.hpp"

namespace onair::infra {

class RedisStateStore final : public StateStore {
 public:
  RedisStateStore(RedisOptions options, BlockingPool& workers, std::string key_prefix = {});
  RedisStateStore(std::string_view url, BlockingPool& workers, std::string key_prefix = {});
  // Shares a connection pool (e.g. with a RedisLock).
  explicit RedisStateStore(std::shared_ptr<RedisConnection> connection, std::string key_prefix = {});

  std::string_view backend_name() const override { return "redis"; }

  // A value operation on a set key (or the reverse) throws InfraError (WRONGTYPE).
  Task<std::optional<StoredValue>> get(std::string key) override;
  Task<std::uint64_t> set(std::string key, std::string value, Ttl ttl = kNoExpiry) override;
  Task<std::optional<std::uint64_t>> set_if_version(std::string key, std::string value, std::uint64_t expected_version,
                                                    Ttl ttl = kNoExpiry) override;
  Task<bool> remove(std::string key) override;
  Task<bool> expire(std::string key, Ttl ttl) override;
  Task<std::vector<std::string>> keys_with_prefix(std::string prefix) override;

  Task<bool> set_add(std::string key, std::string member) override;
  Task<bool> set_remove(std::string key, std::string member) override;
  Task<std::vector<std::string>> set_members(std::string key) override;

  // False (never throws) when Redis does not answer.
  Task<bool> ping() override;

  const std::string& key_prefix() const noexcept { return prefix_; }

 private:
  std::string full_key(std::string_view key) const { return prefix_ + std::string(key); }
  Task<std::optional<std::uint64_t>> write(std::string key, std::string value, std::string expected, Ttl ttl);

  std::shared_ptr<RedisConnection> redis_;  // passed by argument or allocated by this
  std::string prefix_;
  std::string version_key_;  // the INCR counter: under the prefix, hidden from keys_with_prefix
};

// `text` with Redis glob characters (* ? [ ] \) escaped, to match it literally.
std::string redis_glob_escape(std::string_view text);

}  // namespace onair::infra
