#include "showtime_server/showtime_fixture.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <condition_variable>

#include "core/ids.hpp"
#include "gen/showtime/models.hpp"
#include "gen/voice/models.hpp"
#include "showtime/service/audience_tick_worker.hpp"
#include "support/run_task.hpp"

namespace onair::showtimetest {
namespace gs = gen::showtime;
using Clock = std::chrono::steady_clock;

json::value at(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  const auto* m = v.as_object().if_contains(key);
  return m ? *m : json::value(nullptr);
}
std::string str(const json::value& v, std::string_view key) {
  const auto m = at(v, key);
  return m.is_string() ? std::string(m.as_string()) : std::string();
}
std::int64_t num(const json::value& v, std::string_view key, std::int64_t fallback) {
  const auto m = at(v, key);
  return m.is_int64() ? m.as_int64() : m.is_uint64() ? static_cast<std::int64_t>(m.as_uint64()) : fallback;
}
bool has(const json::value& v, std::string_view key) { return v.is_object() && v.as_object().contains(key); }

namespace {

template <class Model>
std::string violation_of(const json::value& v) {
  try {
    (void)Model::from_json(v, "event");
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string bus_violation(std::string_view topic, const json::value& b) {
  if (topic == "showtime.session.started") return violation_of<gs::ShowtimeSessionStartedEvent>(b);
  if (topic == "showtime.session.ended") return violation_of<gs::ShowtimeSessionEndedEvent>(b);
  if (topic == "showtime.session.paused") return violation_of<gs::ShowtimeSessionPausedEvent>(b);
  if (topic == "showtime.session.resumed") return violation_of<gs::ShowtimeSessionResumedEvent>(b);
  if (topic == "showtime.hype.started") return violation_of<gs::ShowtimeHypeStartedEvent>(b);
  if (topic == "showtime.hype.leveled") return violation_of<gs::ShowtimeHypeLeveledEvent>(b);
  if (topic == "showtime.hype.completed") return violation_of<gs::ShowtimeHypeCompletedEvent>(b);
  if (topic == "showtime.milestone.reached") return violation_of<gs::ShowtimeMilestoneReachedEvent>(b);
  if (topic == "showtime.audience.changed") return violation_of<gs::ShowtimeAudienceChangedEvent>(b);
  if (topic == "showtime.growth.recorded") return violation_of<gs::ShowtimeGrowthRecordedEvent>(b);
  if (topic == "showtime.follower.gained") return violation_of<gs::ShowtimeFollowerGainedEvent>(b);
  if (topic == "showtime.tip.generated") return violation_of<gs::ShowtimeTipGeneratedEvent>(b);
  return {};  // voice.* and the events the tests publish themselves
}

std::string client_violation(const json::value& e) {
  const auto name = str(e, "eventName");
  if (name == "showtime.audience.changed") return violation_of<gs::ShowtimeAudienceChangedClientEvent>(e);
  if (name == "showtime.hype.progress") return violation_of<gs::ShowtimeHypeProgressClientEvent>(e);
  if (name == "showtime.milestone.reached") return violation_of<gs::ShowtimeMilestoneReachedClientEvent>(e);
  if (name == "showtime.session.status") return violation_of<gs::ShowtimeSessionStatusClientEvent>(e);
  return {};
}

}  // namespace

// -------------------------------------------------------------------- EventLog

struct EventLog::State {
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<Event> events;
  std::vector<std::string> violations;
};

namespace {
Task<void> keep_event(std::shared_ptr<EventLog::State> state, infra::BusMessage m) {
  {
    std::lock_guard lock(state->mutex);
    boost::system::error_code ec;
    auto body = json::parse(m.body, ec);
    if (ec) {
      state->violations.push_back(m.topic + ": not JSON");
    } else if (auto v = bus_violation(m.topic, body); !v.empty()) {
      state->violations.push_back(m.topic + ": " + v);
    }
    state->events.push_back({m.topic, std::move(body)});
  }
  state->changed.notify_all();
  co_return;
}
Task<void> publish(infra::MessageBus& bus, std::string topic, std::string body) {
  co_await bus.publish(std::move(topic), std::move(body));
}
}  // namespace

EventLog::EventLog(infra::MessageBus& bus) : state_(std::make_shared<State>()) {
  const auto probe = "showtimetest.probe." + random_hex(6);
  infra::Subscription s{{}, {"showtime.#", "voice.#", probe}};
  bus.subscribe(std::move(s), [state = state_](infra::BusMessage m) { return keep_event(state, std::move(m)); });
  // RabbitMQ binds the private queue in the background: wait until a probe comes back.
  const auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    testing::run_task(io_, publish(bus, probe, "{}"));
    std::unique_lock lock(state_->mutex);
    if (state_->changed.wait_for(lock, 200ms, [&] {
          return std::any_of(state_->events.begin(), state_->events.end(),
                             [&](const Event& e) { return e.topic == probe; });
        })) {
      return;
    }
  }
  throw std::runtime_error("event log: the probe did not come back");
}

EventLog::~EventLog() = default;

std::optional<json::value> EventLog::wait_for(std::string_view topic, std::string_view key, const std::string& value,
                                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  std::optional<json::value> found;
  state_->changed.wait_for(lock, timeout, [&] {
    for (const auto& e : state_->events) {
      if (e.topic == topic && str(e.body, key) == value) {
        found = e.body;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::size_t EventLog::count(std::string_view topic, std::string_view key, const std::string& value) const {
  std::lock_guard lock(state_->mutex);
  return static_cast<std::size_t>(std::count_if(state_->events.begin(), state_->events.end(), [&](const Event& e) {
    return e.topic == topic && str(e.body, key) == value;
  }));
}

std::vector<std::string> EventLog::violations() const {
  std::lock_guard lock(state_->mutex);
  return state_->violations;
}

// ---------------------------------------------------------------------- Socket

Socket::Socket(std::uint16_t port, std::string session, const std::string& token)
    : session_(std::move(session)), socket_(testing::TestSocket::open(port, token)) {}

std::optional<json::object> Socket::take(std::string_view name, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (str(*it, "eventName") == name) {
        auto e = std::move(*it);
        inbox_.erase(it);
        return e;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    auto frame = socket_->receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (!frame) {
      if (socket_->closed()) return std::nullopt;
      continue;
    }
    boost::system::error_code ec;
    auto v = json::parse(*frame, ec);
    if (ec || str(v, "type") != "event" || !at(v, "event").is_object()) continue;
    const auto event = at(v, "event");
    if (auto violation = client_violation(event); !violation.empty()) {
      violations_.push_back(str(event, "eventName") + ": " + violation);
    }
    inbox_.push_back(event.as_object());
  }
}

// ------------------------------------------------------------ ShowtimeServerTest

void ShowtimeServerTest::TearDown() {
  for (const auto& s : sockets_) {
    for (const auto& v : s->violations()) ADD_FAILURE() << "client event: " << v;
  }
  for (const auto& [node, log] : logs_) {
    for (const auto& v : log->violations()) ADD_FAILURE() << "bus event: " << v;
  }
  sockets_.clear();
  // Shared MariaDB/Redis: leave no live session of this test behind for other runs' workers.
  if (!nodes_.empty()) {
    (void)call(port(0), "/showtime/cleanup-by-game-service", json::object{{"gameServiceId", game_service_}}, "service");
  }
  ServerTest::TearDown();
  logs_.clear();
}

servertest::TestNode& ShowtimeServerTest::start_showtime(const Env& env) {
  servertest::NodeOptions options;
  options.env = {
      {"SHOWTIME_SERVICE_ENABLED", "true"},
      {"VOICE_SERVICE_ENABLED", "true"},
      {"VOICE_STUN_SERVERS", ""},
      // The workers' own timers stay idle; tests call run_once().
      {"SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS", "60"},
      {"SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS", "3600"},
      {"SHOWTIME_GROWTH_DEBOUNCE_INTERVAL_MS", "0"},
      {"SHOWTIME_DISTRIBUTED_LOCK_TIMEOUT_SECONDS", "30"},
  };
  for (const auto& [k, v] : env) options.env[k] = v;
  return start(options);
}

showtime::ShowtimeService& ShowtimeServerTest::service(std::size_t node) {
  auto* s = nodes_.at(node)->server().service("showtime");
  if (!s) throw std::runtime_error("showtime is not running on that node");
  return dynamic_cast<showtime::ShowtimeService&>(*s);
}

EventLog& ShowtimeServerTest::events(std::size_t node) {
  auto& slot = logs_[node];
  if (!slot) slot = std::make_unique<EventLog>(nodes_.at(node)->server().bus());
  return *slot;
}

std::vector<std::string> ShowtimeServerTest::tick(std::size_t node) {
  return run(node, service(node).tick_worker().run_once());
}

std::string ShowtimeServerTest::role_token(const std::string& role) {
  static std::map<std::string, std::string> sessions;
  auto& session = sessions[role];
  if (session.empty()) session = new_session();
  return token(session, {role});
}

HttpReply ShowtimeServerTest::call(std::uint16_t port, const std::string& path, const json::value& body,
                                   const std::string& role) {
  return post(port, path, body, role.empty() ? std::string() : role_token(role));
}

json::value ShowtimeServerTest::start_session(std::uint16_t port, json::object extra) {
  json::object body{{"streamerType", "character"}, {"streamerId", new_uuid()}, {"gameServiceId", game_service_}};
  for (auto& [k, v] : extra) body[k] = v;
  auto reply = call(port, "/showtime/session/start", body);
  if (reply.status != 200) throw std::runtime_error("start failed: " + std::to_string(reply.status) + " " + reply.body);
  return reply.json();
}

Socket& ShowtimeServerTest::open_socket(std::uint16_t port) {
  const auto session = new_session();
  sockets_.push_back(std::make_unique<Socket>(port, session, token(session, {"user"})));
  return *sockets_.back();
}

}  // namespace onair::showtimetest
