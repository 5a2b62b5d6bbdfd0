#include "infra/rabbit_bus.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/logging.hpp"

namespace onair::infra {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr amqp_channel_t kChannel = 1;
constexpr std::uint16_t kPrefetch = 32;
constexpr int kHeartbeatSeconds = 10;
constexpr int kFrameMax = 131072;
constexpr timeval kConnectTimeout{2, 0};
constexpr timeval kRpcTimeout{5, 0};
constexpr auto kMinBackoff = 100ms;
constexpr auto kMaxBackoff = 2000ms;
constexpr auto kStableConnection = 5s;  // up this long: the next outage starts at kMinBackoff
constexpr int kIdlePollMs = 500;        // bounds the time between heartbeat checks
constexpr auto kRequeuePause = 500ms;   // a failing handler's message is not redelivered in a hot loop

// A waiting coroutine's completion, callable from any thread: resumes it on its
// own executor, which counts it as outstanding work until then.
using Completion = std::function<void(std::exception_ptr)>;

// The tracked executor (the "outstanding work") travels into the posted handler and ends on the
// waiter's own thread: ending it here, after the post, could touch an io_context that the woken
// waiter has already destroyed (a test's private io_context did).
template <class Handler>
Completion make_completion(Handler handler, const boost::asio::any_io_executor& fallback) {
  boost::asio::any_io_executor plain = boost::asio::get_associated_executor(handler, fallback);
  using Work = decltype(boost::asio::prefer(plain, boost::asio::execution::outstanding_work.tracked));
  auto work = std::make_shared<std::optional<Work>>(
      boost::asio::prefer(plain, boost::asio::execution::outstanding_work.tracked));
  auto shared = std::make_shared<Handler>(std::move(handler));
  return [shared, plain, work](std::exception_ptr error) {
    auto held = std::move(*work);
    work->reset();
    boost::asio::post(plain, [shared, error, held = std::move(held)]() mutable {
      std::move (*shared)(error);
      held.reset();
    });
  };
}

amqp_bytes_t bytes_of(const std::string& text) { return amqp_bytes_t{text.size(), const_cast<char*>(text.data())}; }

std::string string_of(const amqp_bytes_t& bytes) {
  return bytes.len == 0 ? std::string() : std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

std::string describe(const amqp_rpc_reply_t& reply, std::string_view what) {
  std::string out(what);
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {};
    case AMQP_RESPONSE_NONE:
      return out + ": no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return out + ": " + amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
        return out + ": connection closed by the broker: " + std::to_string(m->reply_code) + " " +
               string_of(m->reply_text);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return out + ": channel closed by the broker: " + std::to_string(m->reply_code) + " " +
               string_of(m->reply_text);
      }
      return out + ": broker error";
  }
  return out + ": unknown reply";
}

std::string describe_status(int status, std::string_view what) {
  return std::string(what) + ": " + amqp_error_string2(status);
}

// An eventfd that wakes a thread blocked in poll().
class WakeFd {
 public:
  WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw InfraError("rabbitmq", "eventfd failed");
  }
  ~WakeFd() { ::close(fd_); }
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;

  void notify() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
  }
  void drain() const {
    std::uint64_t value = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &value, sizeof value);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Blocks until `fd` (if >= 0) is readable, `wake` fires, or the timeout passes.
void wait_for(int fd, const WakeFd& wake, int timeout_ms) {
  pollfd fds[2] = {{wake.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
}

struct Endpoint {
  std::string host;
  int port = 5672;
  std::string user;
  std::string password;
  std::string vhost;
};

Endpoint parse_endpoint(const std::string& url) {
  std::string buffer = url;  // amqp_parse_url decodes in place and points into it
  amqp_connection_info info{};
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) throw InfraError("rabbitmq", "invalid AMQP URL");
  if (info.ssl) throw InfraError("rabbitmq", "amqps:// is not supported");
  return Endpoint{info.host, info.port, info.user, info.password, info.vhost};
}

// One AMQP connection with channel kChannel open. Used by one thread only.
class Connection {
 public:
  Connection() = default;
  ~Connection() {
    if (state_) amqp_destroy_connection(state_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Returns an error text, empty on success.
  std::string open(const Endpoint& endpoint) {
    state_ = amqp_new_connection();
    if (!state_) return "out of memory";
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    if (!socket) return "cannot create a socket";
    const int status = amqp_socket_open_noblock(socket, endpoint.host.c_str(), endpoint.port, &kConnectTimeout);
    if (status != AMQP_STATUS_OK) return describe_status(status, "connect");
    amqp_set_handshake_timeout(state_, &kRpcTimeout);
    amqp_set_rpc_timeout(state_, &kRpcTimeout);
    const amqp_rpc_reply_t login = amqp_login(state_, endpoint.vhost.c_str(), 0, kFrameMax, kHeartbeatSeconds,
                                              AMQP_SASL_METHOD_PLAIN, endpoint.user.c_str(), endpoint.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) return describe(login, "login");
    amqp_channel_open(state_, kChannel);
    if (auto error = check("channel.open"); !error.empty()) return error;
    return {};
  }

  // Graceful close (both sides agree); only on a healthy connection.
  void close() {
    if (!state_) return;
    amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }

  std::string check(std::string_view what) const { return describe(amqp_get_rpc_reply(state_), what); }

  std::string declare_exchange(const std::string& exchange) {
    amqp_exchange_declare(state_, kChannel, bytes_of(exchange), amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    return check("exchange.declare");
  }

  // Whether a frame can be read without waiting on the socket.
  bool has_buffered_input() const { return amqp_frames_enqueued(state_) || amqp_data_in_buffer(state_); }
  int fd() const { return amqp_get_sockfd(state_); }
  amqp_connection_state_t get() const { return state_; }

  // Answers the broker's connection.close so it can release the connection at once.
  void acknowledge_close() {
    amqp_connection_close_ok_t ok{};
    amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
  }

 private:
  amqp_connection_state_t state_ = nullptr;
};

std::string broker_closed(const amqp_frame_t& frame) {
  if (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* m = static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
    return "connection closed by the broker: " + std::to_string(m->reply_code) + " " + string_of(m->reply_text);
  }
  const auto* m = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
  return "channel closed by the broker: " + std::to_string(m->reply_code) + " " + string_of(m->reply_text);
}

}  // namespace

struct RabbitBus::Impl : std::enable_shared_from_this<RabbitBus::Impl> {
  enum class Role { publisher, consumer };

  struct Outgoing {
    std::string topic;
    std::string body;
    Completion done;
  };
  struct FlushWaiter {
    std::uint64_t up_to;  // every id <= up_to confirmed
    Completion done;
  };
  struct Consumer {
    Subscription subscription;
    std::shared_ptr<const BusHandler> handler;
  };
  struct Ack {
    std::uint64_t generation;  // consumer connection the delivery came on
    std::uint64_t delivery_tag;
    bool ok;  // false: reject with requeue
  };

  Impl(Endpoint ep, boost::asio::any_io_executor ex, std::string exchange_name)
      : endpoint(std::move(ep)), executor(std::move(ex)), exchange(std::move(exchange_name)) {}

  // Passed by argument.
  const Endpoint endpoint;
  const boost::asio::any_io_executor executor;
  const std::string exchange;

  std::atomic<bool> stopping{false};
  std::atomic<bool> publisher_up{false};
  std::mutex stop_mutex;
  std::thread publisher_thread;
  std::thread consumer_thread;

  // Publisher side. The outbox holds every message until its confirm; only the
  // publisher thread (or stop(), after joining it) erases from it.
  WakeFd publisher_wake;
  std::mutex publish_mutex;  // guards the four below
  std::map<std::uint64_t, Outgoing> outbox;
  std::deque<std::uint64_t> to_send;
  std::vector<FlushWaiter> flush_waiters;
  std::uint64_t next_id = 1;
  bool closed = false;

  // Consumer side.
  WakeFd consumer_wake;
  std::mutex consume_mutex;                                // guards the two below
  std::vector<std::shared_ptr<const Consumer>> consumers;  // append-only
  std::vector<Ack> acks;
  std::atomic<std::uint64_t> generation{0};

  void start() {
    publisher_thread = std::thread([this] { run(Role::publisher); });
    consumer_thread = std::thread([this] { run(Role::consumer); });
  }

  void stop() {
    std::lock_guard stop_lock(stop_mutex);
    stopping = true;
    publisher_wake.notify();
    consumer_wake.notify();
    if (publisher_thread.joinable()) publisher_thread.join();
    if (consumer_thread.joinable()) consumer_thread.join();
    std::vector<Completion> failed;
    {
      std::lock_guard lock(publish_mutex);
      closed = true;
      for (auto& [id, message] : outbox) failed.push_back(std::move(message.done));
      for (auto& waiter : flush_waiters) failed.push_back(std::move(waiter.done));
      outbox.clear();
      to_send.clear();
      flush_waiters.clear();
    }
    if (failed.empty()) return;
    auto error = std::make_exception_ptr(InfraError("rabbitmq", "bus stopped before the broker confirmed"));
    for (auto& done : failed) done(error);
  }

  // --- publishing -----------------------------------------------------------

  void enqueue(std::string topic, std::string body, Completion done) {
    {
      std::lock_guard lock(publish_mutex);
      if (!closed) {
        const std::uint64_t id = next_id++;
        outbox.emplace(id, Outgoing{std::move(topic), std::move(body), std::move(done)});
        to_send.push_back(id);
        done = nullptr;
      }
    }
    if (done) {
      done(std::make_exception_ptr(InfraError("rabbitmq", "bus stopped")));
      return;
    }
    publisher_wake.notify();
  }

  void add_flush_waiter(Completion done) {
    {
      std::lock_guard lock(publish_mutex);
      if (!closed) {
        const std::uint64_t up_to = next_id - 1;
        if (!outbox.empty() && outbox.begin()->first <= up_to) {
          flush_waiters.push_back({up_to, std::move(done)});
          return;
        }
      }
    }
    done(nullptr);
  }

  // Confirms (ack) or re-queues for sending (nack) the messages of `ids`.
  void settle(const std::vector<std::uint64_t>& ids, bool ack) {
    std::vector<Completion> completed;
    {
      std::lock_guard lock(publish_mutex);
      if (!ack) {
        for (auto it = ids.rbegin(); it != ids.rend(); ++it) to_send.push_front(*it);
        return;
      }
      for (const std::uint64_t id : ids) {
        auto it = outbox.find(id);
        if (it == outbox.end()) continue;
        completed.push_back(std::move(it->second.done));
        outbox.erase(it);
      }
      const std::uint64_t lowest_pending = outbox.empty() ? next_id : outbox.begin()->first;
      auto ready = std::partition(flush_waiters.begin(), flush_waiters.end(),
                                  [&](const FlushWaiter& w) { return w.up_to >= lowest_pending; });
      for (auto it = ready; it != flush_waiters.end(); ++it) completed.push_back(std::move(it->done));
      flush_waiters.erase(ready, flush_waiters.end());
    }
    for (auto& done : completed) done(nullptr);
  }

  std::string setup_publisher(Connection& connection) {
    amqp_confirm_select(connection.get(), kChannel);
    if (auto error = connection.check("confirm.select"); !error.empty()) return error;
    return connection.declare_exchange(exchange);
  }

  // Sends and confirms until the connection fails (returns why) or stop.
  std::string pump_publisher(Connection& connection) {
    std::map<std::uint64_t, std::uint64_t> in_flight;  // delivery tag -> outbox id
    std::uint64_t next_tag = 1;
    {
      // Whatever was sent on an earlier connection and not confirmed goes again.
      std::lock_guard lock(publish_mutex);
      to_send.clear();
      for (const auto& entry : outbox) to_send.push_back(entry.first);
    }
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2;  // persistent
    props.content_type = amqp_cstring_bytes("application/json");

    const auto confirm = [&](std::uint64_t tag, bool multiple, bool ack) {
      std::vector<std::uint64_t> ids;
      if (multiple) {
        auto end = in_flight.upper_bound(tag);
        for (auto it = in_flight.begin(); it != end; ++it) ids.push_back(it->second);
        in_flight.erase(in_flight.begin(), end);
      } else if (auto it = in_flight.find(tag); it != in_flight.end()) {
        ids.push_back(it->second);
        in_flight.erase(it);
      }
      if (!ids.empty()) settle(ids, ack);
    };

    while (!stopping) {
      std::deque<std::uint64_t> batch;
      {
        std::lock_guard lock(publish_mutex);
        batch.swap(to_send);
      }
      for (const std::uint64_t id : batch) {
        const Outgoing* message = nullptr;
        {
          std::lock_guard lock(publish_mutex);
          auto it = outbox.find(id);
          if (it == outbox.end()) continue;
          message = &it->second;  // stable: only this thread erases
        }
        const int status = amqp_basic_publish(connection.get(), kChannel, bytes_of(exchange), bytes_of(message->topic),
                                              0, 0, &props, bytes_of(message->body));
        if (status != AMQP_STATUS_OK) return describe_status(status, "basic.publish");
        in_flight.emplace(next_tag++, id);
      }

      if (!connection.has_buffered_input()) wait_for(connection.fd(), publisher_wake, kIdlePollMs);
      publisher_wake.drain();
      while (true) {  // every frame that is already here
        amqp_frame_t frame;
        timeval immediately{0, 0};
        const int status = amqp_simple_wait_frame_noblock(connection.get(), &frame, &immediately);
        if (status == AMQP_STATUS_TIMEOUT) break;
        if (status != AMQP_STATUS_OK) return describe_status(status, "read");
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;
        switch (frame.payload.method.id) {
          case AMQP_BASIC_ACK_METHOD: {
            const auto* m = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
            confirm(m->delivery_tag, m->multiple != 0, true);
            break;
          }
          case AMQP_BASIC_NACK_METHOD: {
            const auto* m = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
            log::warn("rabbitmq broker refused a message; resending", {{"exchange", exchange}});
            confirm(m->delivery_tag, m->multiple != 0, false);
            break;
          }
          case AMQP_CONNECTION_CLOSE_METHOD:
            connection.acknowledge_close();
            return broker_closed(frame);
          case AMQP_CHANNEL_CLOSE_METHOD:
            return broker_closed(frame);
          default:
            break;
        }
      }
      amqp_maybe_release_buffers(connection.get());
    }
    return {};
  }

  // --- consuming ------------------------------------------------------------

  void add_consumer(Subscription subscription, BusHandler handler) {
    {
      std::lock_guard lock(consume_mutex);
      consumers.push_back(std::make_shared<const Consumer>(
          Consumer{std::move(subscription), std::make_shared<const BusHandler>(std::move(handler))}));
    }
    consumer_wake.notify();
  }

  void push_ack(Ack ack) {
    {
      std::lock_guard lock(consume_mutex);
      acks.push_back(ack);
    }
    consumer_wake.notify();
  }

  std::string setup_consumer(Connection& connection) {
    if (auto error = connection.declare_exchange(exchange); !error.empty()) return error;
    amqp_basic_qos(connection.get(), kChannel, 0, kPrefetch, 0);
    return connection.check("basic.qos");
  }

  // Declares the consumer's queue, binds it and starts consuming with `tag`.
  std::string declare_and_consume(Connection& connection, const Consumer& consumer, const std::string& tag) {
    const Subscription& sub = consumer.subscription;
    const bool private_queue = sub.queue.empty();
    const amqp_queue_declare_ok_t* declared =
        amqp_queue_declare(connection.get(), kChannel, private_queue ? amqp_empty_bytes : bytes_of(sub.queue), 0,
                           private_queue ? 0 : 1, private_queue ? 1 : 0, private_queue ? 1 : 0, amqp_empty_table);
    if (!declared) return connection.check("queue.declare");
    const std::string queue = string_of(declared->queue);
    for (const std::string& binding : sub.bindings) {
      amqp_queue_bind(connection.get(), kChannel, bytes_of(queue), bytes_of(exchange), bytes_of(binding),
                      amqp_empty_table);
      if (auto error = connection.check("queue.bind"); !error.empty()) return error;
    }
    amqp_basic_consume(connection.get(), kChannel, bytes_of(queue), bytes_of(tag), 0, 0, 0, amqp_empty_table);
    return connection.check("basic.consume");
  }

  static Task<void> run_delivery(std::shared_ptr<Impl> self, std::shared_ptr<const BusHandler> handler,
                                 BusMessage message, std::uint64_t gen, std::uint64_t delivery_tag) {
    const std::string topic = message.topic;
    bool ok = false;
    try {
      co_await (*handler)(std::move(message));
      ok = true;
    } catch (const std::exception& e) {
      log::warn("bus handler failed; message requeued",
                {{"backend", "rabbitmq"}, {"topic", topic}, {"error", e.what()}});
    } catch (...) {
      log::warn("bus handler failed; message requeued", {{"backend", "rabbitmq"}, {"topic", topic}});
    }
    if (!ok) {
      boost::asio::steady_timer pause(self->executor, kRequeuePause);
      co_await pause.async_wait(boost::asio::use_awaitable);
    }
    self->push_ack({gen, delivery_tag, ok});
  }

  void deliver(const std::map<std::string, std::shared_ptr<const Consumer>>& by_tag, amqp_envelope_t& envelope,
               std::uint64_t gen, Connection& connection) {
    auto it = by_tag.find(string_of(envelope.consumer_tag));
    if (it == by_tag.end()) {  // cannot happen: every consumer tag is ours
      amqp_basic_reject(connection.get(), kChannel, envelope.delivery_tag, 1);
      return;
    }
    BusMessage message{string_of(envelope.routing_key), string_of(envelope.message.body)};
    boost::asio::post(executor, [self = shared_from_this(), handler = it->second->handler, message = std::move(message),
                                 gen, tag = envelope.delivery_tag]() mutable {
      boost::asio::co_spawn(self->executor, run_delivery(self, std::move(handler), std::move(message), gen, tag),
                            boost::asio::detached);
    });
  }

  // Consumes until the connection fails (returns why) or stop.
  std::string pump_consumer(Connection& connection, std::uint64_t gen) {
    std::map<std::string, std::shared_ptr<const Consumer>> by_tag;
    std::size_t declared = 0;
    while (!stopping) {
      std::vector<std::shared_ptr<const Consumer>> fresh;
      std::vector<Ack> pending;
      {
        std::lock_guard lock(consume_mutex);
        fresh.assign(consumers.begin() + static_cast<std::ptrdiff_t>(declared), consumers.end());
        pending.swap(acks);
      }
      for (const auto& consumer : fresh) {
        std::string tag = "onair-" + std::to_string(declared);
        if (auto error = declare_and_consume(connection, *consumer, tag); !error.empty()) return error;
        by_tag.emplace(std::move(tag), consumer);
        ++declared;
      }
      for (const Ack& ack : pending) {
        if (ack.generation != gen) continue;  // that connection is gone: the broker requeued it
        const int status = ack.ok ? amqp_basic_ack(connection.get(), kChannel, ack.delivery_tag, 0)
                                  : amqp_basic_reject(connection.get(), kChannel, ack.delivery_tag, 1);
        if (status != AMQP_STATUS_OK) return describe_status(status, "basic.ack");
      }

      if (!connection.has_buffered_input()) wait_for(connection.fd(), consumer_wake, kIdlePollMs);
      consumer_wake.drain();
      amqp_maybe_release_buffers(connection.get());
      amqp_envelope_t envelope;
      timeval immediately{0, 0};
      const amqp_rpc_reply_t reply = amqp_consume_message(connection.get(), &envelope, &immediately, 0);
      if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
        deliver(by_tag, envelope, gen, connection);
        amqp_destroy_envelope(&envelope);
        continue;
      }
      if (reply.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION) return describe(reply, "consume");
      if (reply.library_error == AMQP_STATUS_TIMEOUT) continue;
      if (reply.library_error != AMQP_STATUS_UNEXPECTED_STATE) return describe(reply, "consume");
      // Some other method arrived (channel/connection close, cancel): read it.
      amqp_frame_t frame;
      timeval wait{1, 0};
      const int status = amqp_simple_wait_frame_noblock(connection.get(), &frame, &wait);
      if (status == AMQP_STATUS_TIMEOUT) continue;
      if (status != AMQP_STATUS_OK) return describe_status(status, "read");
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      switch (frame.payload.method.id) {
        case AMQP_CONNECTION_CLOSE_METHOD:
          connection.acknowledge_close();
          return broker_closed(frame);
        case AMQP_CHANNEL_CLOSE_METHOD:
          return broker_closed(frame);
        case AMQP_BASIC_CANCEL_METHOD:  // a queue was deleted: reconnecting declares it again
          return "consumer cancelled by the broker";
        default:
          break;
      }
    }
    return {};
  }

  // --- both threads ---------------------------------------------------------

  void backoff_wait(const WakeFd& wake, std::chrono::milliseconds delay) {
    const auto deadline = Clock::now() + delay;
    while (!stopping) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return;
      wait_for(-1, wake, static_cast<int>(left.count()));
      wake.drain();
    }
  }

  void run(Role role) {
    const bool is_publisher = role == Role::publisher;
    const WakeFd& wake = is_publisher ? publisher_wake : consumer_wake;
    const std::string who = is_publisher ? "publisher" : "consumer";
    std::chrono::milliseconds backoff = kMinBackoff;
    bool down = false;  // connection lost or never made: log the reconnect, not every failed attempt
    while (!stopping) {
      Connection connection;
      std::string error = connection.open(endpoint);
      if (error.empty()) error = is_publisher ? setup_publisher(connection) : setup_consumer(connection);
      if (!error.empty()) {
        if (!down) log::warn("rabbitmq connect failed; retrying", {{"role", who}, {"error", error}});
        down = true;
        backoff_wait(wake, backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
      if (down) log::info("rabbitmq reconnected", {{"role", who}});
      down = false;
      const auto connected_at = Clock::now();
      if (is_publisher) {
        publisher_up = true;
        error = pump_publisher(connection);
        publisher_up = false;
      } else {
        error = pump_consumer(connection, ++generation);
      }
      if (error.empty()) {  // stopping
        connection.close();
        return;
      }
      log::warn("rabbitmq connection lost; reconnecting", {{"role", who}, {"error", error}});
      down = true;
      // A connection that was up for a while starts the backoff again; one that
      // fails right after connecting (say, a queue declared with other
      // arguments) keeps backing off instead of reconnecting in a hot loop.
      if (Clock::now() - connected_at >= kStableConnection) backoff = kMinBackoff;
      backoff_wait(wake, backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
};

RabbitBus::RabbitBus(std::string url, boost::asio::any_io_executor executor, std::string exchange)
    : impl_(std::make_shared<Impl>(parse_endpoint(url), std::move(executor), std::move(exchange))) {
  impl_->start();
}

RabbitBus::~RabbitBus() { impl_->stop(); }

Task<void> RabbitBus::publish(std::string topic, std::string body) {
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
      [&](auto handler) {
        impl_->enqueue(std::move(topic), std::move(body), make_completion(std::move(handler), impl_->executor));
      },
      boost::asio::use_awaitable);
}

void RabbitBus::subscribe(Subscription subscription, BusHandler handler) {
  impl_->add_consumer(std::move(subscription), std::move(handler));
}

Task<void> RabbitBus::flush() {
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
      [&](auto handler) { impl_->add_flush_waiter(make_completion(std::move(handler), impl_->executor)); },
      boost::asio::use_awaitable);
}

Task<bool> RabbitBus::ping() { co_return impl_->publisher_up.load(); }

void RabbitBus::stop() { impl_->stop(); }

}  // namespace onair::infra
