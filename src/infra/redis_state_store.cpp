#include "infra/redis_state_store.hpp"

#include <charconv>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "core/errors.hpp"

namespace onair::infra {
namespace {

// KEYS[1] value key, KEYS[2] version counter; ARGV[1] data, ARGV[2] TTL in ms
// (0: none), ARGV[3] expected version ("" = unconditional, "0" = must not
// exist). Returns the new version, or 0 when the expected version differs.
constexpr std::string_view kWriteScript = R"lua(
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'none' and t ~= 'hash' then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end
if ARGV[3] ~= '' then
  local current = redis.call('HGET', KEYS[1], 'v')
  if not current then current = '0' end
  if current ~= ARGV[3] then return 0 end
end
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', string.format('%d', version))
if ARGV[2] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('PERSIST', KEYS[1])
end
return version
)lua";

// PERSIST answers 0 for a key without expiry: report existence instead.
constexpr std::string_view kPersistScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('PERSIST', KEYS[1])
return 1
)lua";

void check_ttl(Ttl ttl) {
  if (ttl < Ttl::zero()) throw std::invalid_argument("state store: negative TTL");
}

std::uint64_t parse_version(const std::string& text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0) {
    throw InfraError("redis", "malformed stored version");
  }
  return v;
}

}  // namespace

std::string redis_glob_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 4);
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

RedisStateStore::RedisStateStore(std::shared_ptr<RedisConnection> connection, std::string key_prefix)
    : redis_(std::move(connection)),
      prefix_(std::move(key_prefix)),
      // The NUL byte keeps the counter apart from any text key.
      version_key_(prefix_ + std::string("\0onair:version", 14)) {
  if (!redis_) throw std::invalid_argument("RedisStateStore: no connection");
}

RedisStateStore::RedisStateStore(RedisOptions options, BlockingPool& workers, std::string key_prefix)
    : RedisStateStore(std::make_shared<RedisConnection>(std::move(options), workers), std::move(key_prefix)) {}

RedisStateStore::RedisStateStore(std::string_view url, BlockingPool& workers, std::string key_prefix)
    : RedisStateStore(RedisOptions::from_url(url), workers, std::move(key_prefix)) {}

Task<std::optional<StoredValue>> RedisStateStore::get(std::string key) {
  std::vector<std::string> argv{"HMGET", full_key(key), "d", "v"};
  const RedisReply reply = co_await redis_->command(std::move(argv), Idempotency::kIdempotent);
  const auto& fields = reply.as_array();
  if (fields.size() != 2) throw InfraError("redis", "HMGET: unexpected reply");
  if (fields[0].is_nil() && fields[1].is_nil()) co_return std::nullopt;
  if (fields[0].is_nil() || fields[1].is_nil()) throw InfraError("redis", "malformed stored value");
  co_return StoredValue{fields[0].as_string(), parse_version(fields[1].as_string())};
}

Task<std::optional<std::uint64_t>> RedisStateStore::write(std::string key, std::string value, std::string expected,
                                                          Ttl ttl) {
  check_ttl(ttl);
  const bool conditional = !expected.empty();
  std::vector<std::string> keys{full_key(key), version_key_};
  std::vector<std::string> args{std::move(value), std::to_string(ttl.count()), std::move(expected)};
  // An unconditional write may be repeated (it only takes a newer version);
  // a compare-and-set may not: its repeat would report a conflict with itself.
  const RedisReply reply = co_await redis_->eval(kWriteScript, std::move(keys), std::move(args),
                                                 conditional ? Idempotency::kNotIdempotent : Idempotency::kIdempotent);
  const long long version = reply.as_integer();
  if (version < 0) throw InfraError("redis", "write script: unexpected reply");
  if (version == 0) co_return std::nullopt;
  co_return static_cast<std::uint64_t>(version);
}

Task<std::uint64_t> RedisStateStore::set(std::string key, std::string value, Ttl ttl) {
  const auto version = co_await write(std::move(key), std::move(value), std::string(), ttl);
  if (!version) throw InfraError("redis", "write script: unexpected reply");
  co_return *version;
}

Task<std::optional<std::uint64_t>> RedisStateStore::set_if_version(std::string key, std::string value,
                                                                   std::uint64_t expected_version, Ttl ttl) {
  co_return co_await write(std::move(key), std::move(value), std::to_string(expected_version), ttl);
}

Task<bool> RedisStateStore::remove(std::string key) {
  std::vector<std::string> argv{"DEL", full_key(key)};
  const RedisReply reply = co_await redis_->command(std::move(argv));
  co_return reply.as_integer() > 0;
}

Task<bool> RedisStateStore::expire(std::string key, Ttl ttl) {
  check_ttl(ttl);
  if (ttl == kNoExpiry) {
    std::vector<std::string> keys{full_key(key)};
    const RedisReply reply = co_await redis_->eval(kPersistScript, std::move(keys), {}, Idempotency::kIdempotent);
    co_return reply.as_integer() == 1;
  }
  std::vector<std::string> argv{"PEXPIRE", full_key(key), std::to_string(ttl.count())};
  const RedisReply reply = co_await redis_->command(std::move(argv), Idempotency::kIdempotent);
  co_return reply.as_integer() == 1;
}

Task<std::vector<std::string>> RedisStateStore::keys_with_prefix(std::string prefix) {
  const std::string wanted = full_key(prefix);
  const std::string pattern = redis_glob_escape(wanted) + "*";
  std::unordered_set<std::string> seen;  // SCAN may return a key more than once
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    std::vector<std::string> argv{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
    const RedisReply reply = co_await redis_->command(std::move(argv), Idempotency::kIdempotent);
    const auto& parts = reply.as_array();
    if (parts.size() != 2) throw InfraError("redis", "SCAN: unexpected reply");
    cursor = parts[0].as_string();
    for (const auto& item : parts[1].as_array()) {
      const std::string& raw = item.as_string();
      if (raw == version_key_ || !raw.starts_with(wanted)) continue;
      if (seen.insert(raw).second) keys.push_back(raw.substr(prefix_.size()));
    }
  } while (cursor != "0");
  co_return keys;
}

Task<bool> RedisStateStore::set_add(std::string key, std::string member) {
  std::vector<std::string> argv{"SADD", full_key(key), std::move(member)};
  const RedisReply reply = co_await redis_->command(std::move(argv));
  co_return reply.as_integer() > 0;
}

Task<bool> RedisStateStore::set_remove(std::string key, std::string member) {
  std::vector<std::string> argv{"SREM", full_key(key), std::move(member)};
  const RedisReply reply = co_await redis_->command(std::move(argv));
  co_return reply.as_integer() > 0;
}

Task<std::vector<std::string>> RedisStateStore::set_members(std::string key) {
  std::vector<std::string> argv{"SMEMBERS", full_key(key)};
  RedisReply reply = co_await redis_->command(std::move(argv), Idempotency::kIdempotent);
  reply.as_array();  // checks the kind
  std::vector<std::string> members;
  members.reserve(reply.elements.size());
  for (auto& m : reply.elements) {
    m.as_string();
    members.push_back(std::move(m.text));
  }
  co_return members;
}

Task<bool> RedisStateStore::ping() {
  try {
    std::vector<std::string> argv{"PING"};
    const RedisReply reply = co_await redis_->command(std::move(argv), Idempotency::kIdempotent);
    co_return reply.as_string() == "PONG";
  } catch (const InfraError&) {
    co_return false;
  }
}

}  // namespace onair::infra
