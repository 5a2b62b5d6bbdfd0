#include "stream_server/stream_fixture.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <condition_variable>

#include "core/time.hpp"
#include "gen/stream/models.hpp"
#include "platform/access_token.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/workers.hpp"
#include "support/run_task.hpp"

namespace onair::streamtest {
namespace gst = gen::stream;
using Clock = std::chrono::steady_clock;

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
  if (topic == "stream.platform.linked") return violation_of<gst::StreamPlatformLinkedEvent>(b);
  if (topic == "stream.platform.unlinked") return violation_of<gst::StreamPlatformUnlinkedEvent>(b);
  if (topic == "stream.platform.session.started") return violation_of<gst::StreamPlatformSessionStartedEvent>(b);
  if (topic == "stream.platform.session.ended") return violation_of<gst::StreamPlatformSessionEndedEvent>(b);
  if (topic == "stream.audience.pulse") return violation_of<gst::SentimentPulse>(b);
  return {};
}

std::string str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

}  // namespace

// ------------------------------------------------------------------ BusRecorder

struct BusRecorder::State {
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<Message> messages;
  std::vector<std::string> violations;
};

namespace {
Task<void> keep(std::shared_ptr<BusRecorder::State> state, infra::BusMessage m) {
  {
    std::lock_guard lock(state->mutex);
    boost::system::error_code ec;
    auto body = json::parse(m.body, ec);
    if (m.topic.rfind("stream.", 0) == 0) {
      if (ec) {
        state->violations.push_back(m.topic + ": not JSON");
      } else if (auto v = bus_violation(m.topic, body); !v.empty()) {
        state->violations.push_back(m.topic + ": " + v);
      }
    }
    state->messages.push_back({m.topic, m.body});
  }
  state->changed.notify_all();
  co_return;
}
Task<void> probe(infra::MessageBus& bus, std::string topic) { co_await bus.publish(std::move(topic), "{}"); }
}  // namespace

BusRecorder::BusRecorder(infra::MessageBus& bus) : state_(std::make_shared<State>()) {
  infra::Subscription s{{}, {"#"}};
  bus.subscribe(std::move(s), [state = state_](infra::BusMessage m) { return keep(state, std::move(m)); });
  const auto topic = "streamtest.probe." + random_hex(6);
  boost::asio::io_context io;
  const auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    testing::run_task(io, probe(bus, topic));
    std::unique_lock lock(state_->mutex);
    if (state_->changed.wait_for(lock, 200ms, [&] {
          for (const auto& m : state_->messages) {
            if (m.topic == topic) return true;
          }
          return false;
        })) {
      return;
    }
  }
  throw std::runtime_error("bus recorder: the probe did not come back");
}

std::vector<json::value> BusRecorder::of(std::string_view topic) const {
  std::lock_guard lock(state_->mutex);
  std::vector<json::value> out;
  for (const auto& m : state_->messages) {
    if (m.topic == topic) out.push_back(json::parse(m.body));
  }
  return out;
}

std::vector<json::value> BusRecorder::wait_count(std::string_view topic, std::size_t n,
                                                 std::chrono::milliseconds timeout) const {
  {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count_if(state_->messages.begin(), state_->messages.end(),
                                                    [&](const Message& m) { return m.topic == topic; })) >= n;
    });
  }
  return of(topic);
}

std::optional<json::value> BusRecorder::wait_for(std::string_view topic, std::string_view key, const std::string& value,
                                                 std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  std::optional<json::value> found;
  state_->changed.wait_for(lock, timeout, [&] {
    for (const auto& m : state_->messages) {
      if (m.topic != topic) continue;
      auto body = json::parse(m.body);
      if (str(body, key) == value) {
        found = body;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::vector<BusRecorder::Message> BusRecorder::all() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages;
}

std::vector<std::string> BusRecorder::violations() const {
  std::lock_guard lock(state_->mutex);
  return state_->violations;
}

// ------------------------------------------------------------------- LogCapture

struct LogCapture::Impl : spdlog::sinks::base_sink<std::mutex> {
  std::string captured;
  mutable std::mutex text_mutex;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::lock_guard lock(text_mutex);
    captured.append(msg.payload.data(), msg.payload.size());
    captured.push_back('\n');
  }
  void flush_() override {}
};

LogCapture::LogCapture() : impl_(std::make_shared<Impl>()) {
  spdlog::default_logger()->sinks().push_back(impl_);
  spdlog::set_level(spdlog::level::trace);
}

LogCapture::~LogCapture() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), impl_), sinks.end());
  spdlog::set_level(spdlog::level::warn);
}

std::string LogCapture::text() const {
  std::lock_guard lock(impl_->text_mutex);
  return impl_->captured;
}

// -------------------------------------------------------------- StreamServerTest

void StreamServerTest::TearDown() {
  for (const auto& [node, recorder] : recorders_) {
    for (const auto& v : recorder->violations()) ADD_FAILURE() << "bus event: " << v;
  }
  ServerTest::TearDown();
  recorders_.clear();
}

servertest::TestNode& StreamServerTest::start_stream(const Env& env, std::function<void(app::ServerSettings&)> tweak) {
  servertest::NodeOptions options;
  options.tweak = std::move(tweak);
  options.env = {
      {"STREAM_SERVICE_ENABLED", "true"},
      {"STREAM_TWITCH_WEBHOOK_SECRET", kTwitchSecret},
      {"STREAM_TOKEN_ENCRYPTION_KEY", kTokenKey},
      {"STREAM_YOUTUBE_WEBHOOK_TOKEN", "stream-tests-websub-master-token"},
      // The workers' own timers stay idle; tests call run_once().
      {"STREAM_SENTIMENT_PULSE_INTERVAL_SECONDS", "300"},
      {"STREAM_SESSION_CLEANUP_INTERVAL_SECONDS", "86400"},
      {"STREAM_SENTIMENT_MIN_BATCH_SIZE", "1"},
  };
  for (const auto& [k, v] : env) options.env[k] = v;
  auto& node = start(options);
  bus(nodes_.size() - 1);
  return node;
}

stream::StreamService& StreamServerTest::service(std::size_t node) {
  auto* s = nodes_.at(node)->server().service("stream");
  if (!s) throw std::runtime_error("stream is not running on that node");
  return dynamic_cast<stream::StreamService&>(*s);
}

BusRecorder& StreamServerTest::bus(std::size_t node) {
  auto& slot = recorders_[node];
  if (!slot) slot = std::make_unique<BusRecorder>(nodes_.at(node)->server().bus());
  return *slot;
}

std::string StreamServerTest::account_token(const std::string& account, const std::string& role) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  platform::TokenSigner signer(servertest::kJwtSecret);
  return signer.mint(platform::AccessClaims{account, new_uuid(), {role}, now - 10, now + 3600});
}

HttpReply StreamServerTest::call(const std::string& path, const json::value& body, const std::string& token) {
  auto reply = post(port(), path, body, token);
  seen(reply.body);
  return reply;
}

stream::LinkRecord StreamServerTest::twitch_link(const std::string& account, const std::string& channel) {
  stream::LinkRecord r;
  r.link_id = new_uuid();
  r.account_id = account;
  r.platform = gst::StreamPlatform::twitch;
  r.channel_id = channel;
  r.login = "streamer_" + channel;
  r.display_name = "Streamer " + channel;
  r.linked_ms = 1;
  r.linked_at = now_rfc3339();
  run(service().store().insert_link(r));
  return r;
}

HttpReply StreamServerTest::deliver_raw(const std::string& body, const testing::Headers& headers) {
  auto h = headers;
  h.emplace_back("Content-Type", "application/json");
  auto reply = testing::http_request(port(), "POST", "/stream/webhook/twitch", body, std::move(h));
  seen(reply.body);
  return reply;
}

HttpReply StreamServerTest::deliver(const Delivery& d) {
  json::object subscription{{"id", new_uuid()},
                            {"status", d.status.value_or("enabled")},
                            {"type", d.subscription_type},
                            {"version", d.subscription_type == "channel.follow" ? "2" : "1"},
                            {"condition", d.condition},
                            {"transport", json::object{{"method", "webhook"}, {"callback", "https://x/cb"}}},
                            {"created_at", "2026-11-23T00:00:00Z"}};
  json::object body{{"subscription", subscription}};
  if (d.message_type == "notification") body["event"] = d.event;
  if (d.challenge) body["challenge"] = *d.challenge;
  const auto text = json::serialize(body);
  const auto timestamp = d.timestamp.empty() ? now_rfc3339() : d.timestamp;
  const auto signature = d.signature.empty()
                             ? stream::security::sign_twitch_eventsub(d.secret, d.message_id, timestamp, text)
                             : d.signature;
  return deliver_raw(text, {{"Twitch-Eventsub-Message-Id", d.message_id},
                            {"Twitch-Eventsub-Message-Timestamp", timestamp},
                            {"Twitch-Eventsub-Message-Signature", signature},
                            {"Twitch-Eventsub-Message-Type", d.message_type},
                            {"Twitch-Eventsub-Subscription-Type", d.subscription_type}});
}

StreamServerTest::Delivery StreamServerTest::notification(const std::string& type, const std::string& broadcaster,
                                                          json::object event) {
  Delivery d;
  d.subscription_type = type;
  if (type == "channel.raid") {
    d.condition = {{"to_broadcaster_user_id", broadcaster}};
    if (!event.contains("to_broadcaster_user_id")) event["to_broadcaster_user_id"] = broadcaster;
  } else {
    d.condition = {{"broadcaster_user_id", broadcaster}};
    if (!event.contains("broadcaster_user_id")) event["broadcaster_user_id"] = broadcaster;
  }
  d.event = std::move(event);
  return d;
}

StreamServerTest::Delivery StreamServerTest::chat(const std::string& broadcaster, const std::string& user_id,
                                                  const std::string& text, json::array badges) {
  json::object event{{"chatter_user_id", user_id},
                     {"chatter_user_login", "login_" + user_id},
                     {"chatter_user_name", "Name_" + user_id},
                     {"message_id", new_uuid()},
                     {"message", json::object{{"text", text}, {"fragments", json::array{}}}},
                     {"badges", std::move(badges)},
                     {"color", "#FF0000"}};
  return notification("channel.chat.message", broadcaster, std::move(event));
}

std::size_t StreamServerTest::publish_pulses(std::size_t node) {
  return run(service(node).pulse_worker().run_once(), node);
}

// Everything that left the stream service: bus messages, every state-store key and value, every SQL
// table's text, /metrics, the replies the test saw, and the given logs. Privacy tests search it for canaries.
std::string StreamServerTest::everything_outside_service(const std::string& logs) {
  std::string everything;
  for (const auto& m : bus().all()) everything += m.topic + " " + m.body + "\n";
  auto dump_state = [](infra::StateStore& state) -> Task<std::string> {
    std::string out;
    for (const auto& key : co_await state.keys_with_prefix("")) {
      out += key + "=";
      bool is_set = false;
      try {
        if (auto v = co_await state.get(key)) out += v->data;
      } catch (const std::exception&) {
        is_set = true;
      }
      if (is_set) {
        try {
          for (const auto& m : co_await state.set_members(key)) out += m + ",";
        } catch (const std::exception&) {
          // A distributed lock's key: its name is still searched.
        }
      }
      out += "\n";
    }
    co_return out;
  };
  everything += run(dump_state(service().state_store()));
  auto& sql = service().store().sql();
  std::vector<std::string> tables;
  if (sql.backend_name() == "sqlite") {
    auto r = run(sql.execute("SELECT name FROM sqlite_master WHERE type = 'table'"));
    for (const auto& row : r.rows) tables.push_back(std::get<std::string>(row[0]));
  } else {
    auto r = run(sql.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"));
    for (const auto& row : r.rows) tables.push_back(std::get<std::string>(row[0]));
  }
  EXPECT_FALSE(tables.empty());
  for (const auto& table : tables) {
    auto r = run(sql.execute("SELECT * FROM " + table));
    for (const auto& row : r.rows) {
      for (const auto& v : row) {
        if (const auto* t = std::get_if<std::string>(&v)) everything += *t + "\t";
      }
      everything += "\n";
    }
  }
  everything += testing::http_request(port(), "GET", "/metrics").body;
  for (const auto& r : replies_seen) everything += r + "\n";
  everything += logs;
  return everything;
}

}  // namespace onair::streamtest
