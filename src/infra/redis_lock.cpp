#include "infra/redis_lock.hpp"

#include <stdexcept>
#include <utility>

namespace onair::infra {
namespace {

// KEYS[1] lock; ARGV[1] owner, ARGV[2] TTL in ms. SET NX PX, or a refresh
// when the owner already holds it.
constexpr std::string_view kAcquireScript = R"lua(
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua";

constexpr std::string_view kExtendScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua";

constexpr std::string_view kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua";

void check_ttl(std::chrono::milliseconds ttl) {
  if (ttl <= std::chrono::milliseconds::zero()) throw std::invalid_argument("lock: TTL must be positive");
}

}  // namespace

RedisLock::RedisLock(std::shared_ptr<RedisConnection> connection, std::string key_prefix)
    : redis_(std::move(connection)), prefix_(std::move(key_prefix)) {
  if (!redis_) throw std::invalid_argument("RedisLock: no connection");
}

RedisLock::RedisLock(RedisOptions options, BlockingPool& workers, std::string key_prefix)
    : RedisLock(std::make_shared<RedisConnection>(std::move(options), workers), std::move(key_prefix)) {}

RedisLock::RedisLock(std::string_view url, BlockingPool& workers, std::string key_prefix)
    : RedisLock(RedisOptions::from_url(url), workers, std::move(key_prefix)) {}

// Acquire and extend are idempotent for the same owner (a repeat refreshes
// the expiry again); release is not (its repeat would answer false).
Task<bool> RedisLock::try_acquire(std::string name, std::string owner, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  std::vector<std::string> keys{prefix_ + name};
  std::vector<std::string> args{std::move(owner), std::to_string(ttl.count())};
  const RedisReply reply =
      co_await redis_->eval(kAcquireScript, std::move(keys), std::move(args), Idempotency::kIdempotent);
  co_return reply.as_integer() == 1;
}

Task<bool> RedisLock::extend(std::string name, std::string owner, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  std::vector<std::string> keys{prefix_ + name};
  std::vector<std::string> args{std::move(owner), std::to_string(ttl.count())};
  const RedisReply reply =
      co_await redis_->eval(kExtendScript, std::move(keys), std::move(args), Idempotency::kIdempotent);
  co_return reply.as_integer() == 1;
}

Task<bool> RedisLock::release(std::string name, std::string owner) {
  std::vector<std::string> keys{prefix_ + name};
  std::vector<std::string> args{std::move(owner)};
  const RedisReply reply = co_await redis_->eval(kReleaseScript, std::move(keys), std::move(args));
  co_return reply.as_integer() == 1;
}

}  // namespace onair::infra
