#pragma once
// A small pool of synchronous hiredis connections to one Redis server. Every
// command borrows a connection on a worker thread of the BlockingPool, so the
// I/O threads never block. A connection that breaks is dropped (with the idle
// ones, which a server restart broke too); an idempotent command is retried
// once on a fresh connection. Failures throw InfraError("redis", ...) whose
// message never contains command arguments (they may hold data).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/blocking.hpp"
#include "core/task.hpp"

namespace onair::infra {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string username;  // Redis 6 ACL user; empty: the default user
  std::string password;  // empty: no AUTH
  int db = 0;
  std::size_t pool_size = 4;  // connections open at most
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};  // a server that does not answer in time is an error

  // Parses "redis://[[user]:password@]host[:port][/db]" (percent-encoded
  // user/password). Throws std::invalid_argument, never echoing the URL.
  static RedisOptions from_url(std::string_view url);
};

// A reply, parsed. Error replies are never returned: they throw InfraError.
struct RedisReply {
  enum class Kind { kNil, kStatus, kInteger, kString, kArray };
  Kind kind = Kind::kNil;
  std::string text;  // kStatus, kString
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const noexcept { return kind == Kind::kNil; }
  // These throw InfraError("redis", ...) when the reply is of another kind.
  long long as_integer() const;
  const std::string& as_string() const;  // kString or kStatus
  const std::vector<RedisReply>& as_array() const;
};

// Whether a command may be sent again after its connection broke (it might
// have run already). Reads and writes whose answer does not change when
// repeated are idempotent; DEL, SADD, compare-and-set scripts are not.
enum class Idempotency { kIdempotent, kNotIdempotent };

class RedisConnection {
 public:
  RedisConnection(RedisOptions options, BlockingPool& workers);
  RedisConnection(std::string_view url, BlockingPool& workers);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command; `argv` is binary safe ({"SET", key, value, ...}).
  Task<RedisReply> command(std::vector<std::string> argv, Idempotency idempotency = Idempotency::kNotIdempotent);
  // EVAL of a Lua script with its KEYS and ARGV.
  Task<RedisReply> eval(std::string_view script, std::vector<std::string> keys, std::vector<std::string> args,
                        Idempotency idempotency = Idempotency::kNotIdempotent);
  // The same as command(), blocking the calling thread (for code already on a worker).
  RedisReply command_blocking(const std::vector<std::string>& argv,
                              Idempotency idempotency = Idempotency::kNotIdempotent);

  const RedisOptions& options() const noexcept;

 private:
  struct Pool;                  // the hiredis contexts (allocated by this, shared with running calls)
  std::shared_ptr<Pool> pool_;  //
  BlockingPool& workers_;       // passed by argument
};

}  // namespace onair::infra
