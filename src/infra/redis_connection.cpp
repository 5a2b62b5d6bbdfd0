#include "infra/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "core/logging.hpp"

namespace onair::infra {
namespace {

constexpr const char* kBackend = "redis";

struct ContextFree {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

struct ReplyFree {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval to_timeval(std::chrono::milliseconds ms) {
  const auto count = std::max<long long>(ms.count(), 1);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(count / 1000);
  tv.tv_usec = static_cast<suseconds_t>((count % 1000) * 1000);
  return tv;
}

// The command's name, safe to show: argv[0] upper-cased, anything but letters
// and '.'/'_' replaced, so that a data argument in the wrong place cannot leak.
std::string command_name(const std::vector<std::string>& argv) {
  if (argv.empty()) return "(empty command)";
  std::string name = argv.front().substr(0, 24);
  for (char& c : name) {
    const auto u = static_cast<unsigned char>(c);
    c = std::isalpha(u) || c == '.' || c == '_' ? static_cast<char>(std::toupper(u)) : '?';
  }
  return name;
}

// A server error message, cut before its first quote: Redis quotes arguments
// in some messages ("unknown command 'x', with args beginning with: ...").
std::string safe_server_message(const char* str, std::size_t len) {
  std::string_view message(str ? str : "", str ? len : 0);
  message = message.substr(0, std::min<std::size_t>(message.find_first_of("'\"`"), 160));
  while (!message.empty() && (message.back() == ' ' || message.back() == ':' || message.back() == ',')) {
    message.remove_suffix(1);
  }
  return std::string(message);
}

RedisReply convert(const redisReply& r, const std::string& name) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_ERROR:
      throw InfraError(kBackend, name + " failed: " + safe_server_message(r.str, r.len));
    case REDIS_REPLY_NIL:
      out.kind = RedisReply::Kind::kNil;
      break;
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::kStatus;
      out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STRING:
      out.kind = RedisReply::Kind::kString;
      out.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::kArray;
      out.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(convert(*r.element[i], name));
      break;
    default:
      throw InfraError(kBackend, name + " returned an unsupported reply type");
  }
  return out;
}

// Sends one command; nullptr when the connection broke (ctx->err tells why).
ReplyPtr execute(redisContext* ctx, const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  return ReplyPtr(
      static_cast<redisReply*>(redisCommandArgv(ctx, static_cast<int>(args.size()), args.data(), lengths.data())));
}

std::string endpoint(const RedisOptions& o) { return o.host + ":" + std::to_string(o.port); }

ContextPtr open_connection(const RedisOptions& o) {
  ContextPtr ctx(redisConnectWithTimeout(o.host.c_str(), o.port, to_timeval(o.connect_timeout)));
  if (!ctx) throw InfraError(kBackend, "cannot allocate a connection");
  if (ctx->err) throw InfraError(kBackend, "cannot connect to " + endpoint(o) + ": " + ctx->errstr);
  if (redisSetTimeout(ctx.get(), to_timeval(o.command_timeout)) != REDIS_OK) {
    throw InfraError(kBackend, "cannot set the command timeout: " + std::string(ctx->errstr));
  }
  redisEnableKeepAlive(ctx.get());  // best effort
  auto setup = [&](const std::vector<std::string>& argv) {
    ReplyPtr reply = execute(ctx.get(), argv);
    if (!reply) throw InfraError(kBackend, argv.front() + " failed: " + std::string(ctx->errstr));
    convert(*reply, argv.front());  // throws on an error reply (the message never holds the password)
  };
  if (!o.password.empty()) {
    if (o.username.empty()) {
      setup({"AUTH", o.password});
    } else {
      setup({"AUTH", o.username, o.password});
    }
  }
  if (o.db != 0) setup({"SELECT", std::to_string(o.db)});
  return ctx;
}

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= in.size()) throw std::invalid_argument("redis URL: bad escape");
    const auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (ec != std::errc() || end != in.data() + i + 3) throw std::invalid_argument("redis URL: bad escape");
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

template <class Int>
Int parse_number(std::string_view text, Int min, Int max, const char* what) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw std::invalid_argument(std::string("redis URL: bad ") + what);
  }
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------
// RedisOptions

RedisOptions RedisOptions::from_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) throw std::invalid_argument("redis URL: the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisOptions o;

  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    // As redis-cli: "user:password", ":password" or "password".
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      o.username = percent_decode(userinfo.substr(0, colon));
      o.password = percent_decode(userinfo.substr(colon + 1));
    } else {
      o.password = percent_decode(userinfo);
    }
  }
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("redis URL: bad IPv6 host");
    o.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) throw std::invalid_argument("redis URL: bad port");
      port = rest.substr(1);
      if (port.empty()) throw std::invalid_argument("redis URL: bad port");
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    o.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
    if (port.empty()) throw std::invalid_argument("redis URL: bad port");
  } else {
    o.host = std::string(rest);
  }
  if (o.host.empty()) throw std::invalid_argument("redis URL: missing host");
  if (!port.empty()) o.port = parse_number<std::uint16_t>(port, 1, 65535, "port");
  if (!path.empty()) o.db = parse_number<int>(path, 0, 1 << 20, "database number");
  return o;
}

// ---------------------------------------------------------------------------
// RedisReply

long long RedisReply::as_integer() const {
  if (kind != Kind::kInteger) throw InfraError(kBackend, "unexpected reply: not an integer");
  return integer;
}

const std::string& RedisReply::as_string() const {
  if (kind != Kind::kString && kind != Kind::kStatus) throw InfraError(kBackend, "unexpected reply: not a string");
  return text;
}

const std::vector<RedisReply>& RedisReply::as_array() const {
  if (kind != Kind::kArray) throw InfraError(kBackend, "unexpected reply: not an array");
  return elements;
}

// ---------------------------------------------------------------------------
// Pool

struct RedisConnection::Pool {
  static RedisOptions normalized(RedisOptions o) {
    o.pool_size = std::max<std::size_t>(o.pool_size, 1);
    return o;
  }
  explicit Pool(RedisOptions o) : options(normalized(std::move(o))) {}

  const RedisOptions options;

  std::mutex mutex;
  std::condition_variable released;
  std::vector<ContextPtr> idle;
  std::size_t open = 0;  // idle + borrowed + being connected

  // Borrowing a connection: returned to the pool when healthy, dropped otherwise.
  class Lease {
   public:
    explicit Lease(Pool& pool) : pool_(pool), ctx_(pool.borrow()) {}
    ~Lease() { pool_.give_back(std::move(ctx_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    redisContext* get() const noexcept { return ctx_.get(); }
    // Replaces the (broken) connection with a new one, keeping the slot.
    void reconnect() {
      ctx_.reset();
      ctx_ = open_connection(pool_.options);
    }

   private:
    Pool& pool_;
    ContextPtr ctx_;
  };

  ContextPtr borrow() {
    std::unique_lock lock(mutex);
    const auto patience = options.connect_timeout + 2 * options.command_timeout + std::chrono::seconds(1);
    if (!released.wait_for(lock, patience, [&] { return !idle.empty() || open < options.pool_size; })) {
      throw InfraError(kBackend, "no connection became free in time");
    }
    if (!idle.empty()) {
      ContextPtr ctx = std::move(idle.back());
      idle.pop_back();
      return ctx;
    }
    ++open;
    lock.unlock();
    try {
      return open_connection(options);
    } catch (...) {
      lock.lock();
      --open;
      released.notify_one();
      throw;
    }
  }

  void give_back(ContextPtr ctx) {
    std::vector<ContextPtr> dropped;  // freed outside the lock
    {
      std::lock_guard lock(mutex);
      if (ctx && ctx->err == 0) {
        idle.push_back(std::move(ctx));
      } else {
        --open;
        dropped.push_back(std::move(ctx));
      }
      released.notify_one();
    }
  }

  // A connection broke: the idle ones most likely did too (server restart).
  void drop_idle() {
    std::vector<ContextPtr> dropped;
    {
      std::lock_guard lock(mutex);
      open -= idle.size();
      dropped.swap(idle);
      released.notify_all();
    }
  }

  RedisReply run(const std::vector<std::string>& argv, Idempotency idempotency) {
    const std::string name = command_name(argv);
    if (argv.empty()) throw std::invalid_argument("redis: empty command");
    Lease lease(*this);
    ReplyPtr reply = execute(lease.get(), argv);
    if (!reply) {
      const std::string error = lease.get()->errstr;
      drop_idle();
      log::warn("redis connection broke", {{"endpoint", endpoint(options)}, {"command", name}, {"error", error}});
      // The command may have run before the connection broke: only an idempotent one is sent again.
      // (The broken connection is dropped when the lease ends; the next call connects afresh.)
      if (idempotency != Idempotency::kIdempotent) throw InfraError(kBackend, name + " failed: " + error);
      lease.reconnect();
      reply = execute(lease.get(), argv);
      if (!reply) throw InfraError(kBackend, name + " failed after reconnecting: " + lease.get()->errstr);
    }
    return convert(*reply, name);
  }
};

// ---------------------------------------------------------------------------
// RedisConnection

RedisConnection::RedisConnection(RedisOptions options, BlockingPool& workers)
    : pool_(std::make_shared<Pool>(std::move(options))), workers_(workers) {}

RedisConnection::RedisConnection(std::string_view url, BlockingPool& workers)
    : RedisConnection(RedisOptions::from_url(url), workers) {}

RedisConnection::~RedisConnection() = default;

const RedisOptions& RedisConnection::options() const noexcept { return pool_->options; }

RedisReply RedisConnection::command_blocking(const std::vector<std::string>& argv, Idempotency idempotency) {
  return pool_->run(argv, idempotency);
}

Task<RedisReply> RedisConnection::command(std::vector<std::string> argv, Idempotency idempotency) {
  // The callable only points into this frame, which outlives the call: with
  // g++ 12, run_blocking() destroys its callable twice (an init-captured
  // lambda temporary inside co_await), harmless only for a trivially
  // destructible callable.
  const std::shared_ptr<Pool> pool = pool_;  // kept alive by this frame
  auto call = [pool = pool.get(), args = &argv, idempotency] { return pool->run(*args, idempotency); };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

Task<RedisReply> RedisConnection::eval(std::string_view script, std::vector<std::string> keys,
                                       std::vector<std::string> args, Idempotency idempotency) {
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.emplace_back("EVAL");
  argv.emplace_back(script);
  argv.push_back(std::to_string(keys.size()));
  for (auto& k : keys) argv.push_back(std::move(k));
  for (auto& a : args) argv.push_back(std::move(a));
  co_return co_await command(std::move(argv), idempotency);
}

}  // namespace onair::infra
