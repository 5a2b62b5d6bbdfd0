#include "voice_server/voice_fixture.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <stdexcept>
#include <thread>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "gen/voice/models.hpp"
#include "platform/access_token.hpp"
#include "support/run_task.hpp"

namespace onair::voicetest {
namespace gv = gen::voice;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------ JSON helpers

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

bool flag(const json::value& v, std::string_view key, bool fallback) {
  const auto m = at(v, key);
  return m.is_bool() ? m.as_bool() : fallback;
}

std::vector<std::string> strings(const json::value& v, std::string_view key) {
  std::vector<std::string> out;
  const auto m = at(v, key);
  if (!m.is_array()) return out;
  for (const auto& item : m.as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return sorted(std::move(out));
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string mint_token(const std::string& session, std::vector<std::string> roles) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  platform::TokenSigner signer(servertest::kJwtSecret);
  return signer.mint(
      platform::AccessClaims{"acct-" + session.substr(0, 8), session, std::move(roles), now - 10, now + 3600});
}

// ---------------------------------------------------------------- schema checks

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

}  // namespace

std::string client_event_violation(const json::value& event) {
  const auto name = str(event, "eventName");
  if (name == "voice.room.state") return violation_of<gv::VoiceRoomStateClientEvent>(event);
  if (name == "voice.peer.joined") return violation_of<gv::VoicePeerJoinedClientEvent>(event);
  if (name == "voice.peer.left") return violation_of<gv::VoicePeerLeftClientEvent>(event);
  if (name == "voice.peer.updated") return violation_of<gv::VoicePeerUpdatedClientEvent>(event);
  if (name == "voice.tier-upgrade") return violation_of<gv::VoiceTierUpgradeClientEvent>(event);
  if (name == "voice.room.closed") return violation_of<gv::VoiceRoomClosedClientEvent>(event);
  if (name == "voice.broadcast.consent-request")
    return violation_of<gv::VoiceBroadcastConsentRequestClientEvent>(event);
  if (name == "voice.broadcast.consent-update") return violation_of<gv::VoiceBroadcastConsentUpdateClientEvent>(event);
  return "unknown client event " + name;
}

std::string bus_event_violation(std::string_view topic, const json::value& body) {
  if (topic == "voice.room.created") return violation_of<gv::VoiceRoomCreatedEvent>(body);
  if (topic == "voice.room.deleted") return violation_of<gv::VoiceRoomDeletedEvent>(body);
  if (topic == "voice.room.tier-upgraded") return violation_of<gv::VoiceRoomTierUpgradedEvent>(body);
  if (topic == "voice.participant.joined") return violation_of<gv::VoiceParticipantJoinedEvent>(body);
  if (topic == "voice.participant.left") return violation_of<gv::VoiceParticipantLeftEvent>(body);
  if (topic == "voice.room.broadcast.approved") return violation_of<gv::VoiceRoomBroadcastApprovedEvent>(body);
  if (topic == "voice.room.broadcast.declined") return violation_of<gv::VoiceRoomBroadcastDeclinedEvent>(body);
  if (topic == "voice.room.broadcast.stopped") return violation_of<gv::VoiceRoomBroadcastStoppedEvent>(body);
  return "unknown voice topic";
}

// ------------------------------------------------------------------ BusRecorder

struct BusRecorder::State {
  std::string probe_topic = "voicetest.probe." + random_hex(8);
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<Event> events;
  std::vector<std::string> probes;  // probe bodies received
  std::vector<std::string> violations;
};

namespace {

Task<void> record(std::shared_ptr<BusRecorder::State> state, infra::BusMessage message);

}  // namespace

BusRecorder::BusRecorder(infra::MessageBus& bus) : state_(std::make_shared<State>()), bus_(bus) {
  infra::Subscription subscription{{}, {"voice.#", state_->probe_topic}};
  bus_.subscribe(std::move(subscription),
                 [state = state_](infra::BusMessage message) { return record(state, std::move(message)); });
  sync(20s);  // RabbitMQ binds the private queue in the background
}

BusRecorder::~BusRecorder() = default;

namespace {

Task<void> record(std::shared_ptr<BusRecorder::State> state, infra::BusMessage message) {
  {
    std::lock_guard lock(state->mutex);
    if (message.topic == state->probe_topic) {
      state->probes.push_back(message.body);
    } else {
      boost::system::error_code ec;
      auto body = json::parse(message.body, ec);
      if (ec) {
        state->violations.push_back(message.topic + ": not JSON");
      } else if (auto v = bus_event_violation(message.topic, body); !v.empty()) {
        state->violations.push_back(message.topic + ": " + v);
      }
      state->events.push_back({message.topic, std::move(body)});
    }
  }
  state->changed.notify_all();
  co_return;
}

Task<void> publish_probe(infra::MessageBus& bus, std::string topic, std::string body) {
  co_await bus.publish(std::move(topic), std::move(body));
}

}  // namespace

void BusRecorder::sync(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  // A probe published before RabbitMQ bound the queue is lost: publish again
  // every 100 ms until one comes back (any of them will do).
  std::vector<std::string> sent;
  for (;;) {
    sent.push_back("\"" + random_hex(8) + "\"");
    testing::run_task(io_, publish_probe(bus_, state_->probe_topic, sent.back()));
    std::unique_lock lock(state_->mutex);
    const auto until = std::min(deadline, Clock::now() + 100ms);
    if (state_->changed.wait_until(lock, until, [&] {
          return std::any_of(sent.begin(), sent.end(), [&](const std::string& b) {
            return std::find(state_->probes.begin(), state_->probes.end(), b) != state_->probes.end();
          });
        })) {
      return;
    }
    if (Clock::now() >= deadline) throw std::runtime_error("bus recorder: probe did not come back");
  }
}

std::optional<json::value> BusRecorder::wait_for(std::string_view topic, const std::string& room_id,
                                                 const EventPredicate& pred, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  std::optional<json::value> found;
  state_->changed.wait_for(lock, timeout, [&] {
    for (const auto& e : state_->events) {
      if (e.topic != topic || str(e.body, "roomId") != room_id || !e.body.is_object()) continue;
      if (pred && !pred(e.body.as_object())) continue;
      found = e.body;
      return true;
    }
    return false;
  });
  return found;
}

std::vector<BusRecorder::Event> BusRecorder::of_room(const std::string& room_id, std::string_view topic) const {
  std::lock_guard lock(state_->mutex);
  std::vector<Event> out;
  for (const auto& e : state_->events) {
    if (str(e.body, "roomId") == room_id && (topic.empty() || e.topic == topic)) out.push_back(e);
  }
  return out;
}

std::size_t BusRecorder::count(std::string_view topic, const std::string& room_id) const {
  return of_room(room_id, topic).size();
}

std::vector<std::string> BusRecorder::violations() const {
  std::lock_guard lock(state_->mutex);
  return state_->violations;
}

// ------------------------------------------------------------------------- Peer

Peer::Peer(std::uint16_t port, std::string session, std::vector<std::string> roles, bool with_socket)
    : port_(port), session_(std::move(session)), token_(mint_token(session_, std::move(roles))) {
  if (with_socket) socket_ = testing::TestSocket::open(port_, token_);
}

Peer::~Peer() = default;

void Peer::keep(const std::string& frame) {
  boost::system::error_code ec;
  auto v = json::parse(frame, ec);
  if (ec || !v.is_object()) return;
  const auto type = str(v, "type");
  if (type == "response") {
    const auto id = at(v, "id");
    if (id.is_string()) responses_.emplace_back(id.as_string());
    return;
  }
  if (type != "event" || !at(v, "event").is_object()) return;
  const auto event = at(v, "event");
  if (auto violation = client_event_violation(event); !violation.empty()) {
    violations_.push_back(str(event, "eventName") + ": " + violation);
  }
  inbox_.push_back(event.as_object());
}

bool Peer::receive_one(std::chrono::milliseconds timeout) {
  if (!socket_) return false;
  auto frame = socket_->receive(timeout);
  if (!frame) return false;
  keep(*frame);
  return true;
}

std::optional<json::object> Peer::take(std::string_view name, const EventPredicate& pred,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (str(*it, "eventName") == name && (!pred || pred(*it))) {
        auto event = std::move(*it);
        inbox_.erase(it);
        return event;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline || !socket_) return std::nullopt;
    if (!receive_one(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)) && socket_->closed()) {
      return std::nullopt;
    }
  }
}

void Peer::barrier() {
  if (!socket_ || socket_->closed()) return;
  const std::string id = "barrier-" + std::to_string(next_call_++);
  const json::object frame{{"id", id}, {"path", "/voice/test-barrier"}, {"body", json::object{}}};
  if (!socket_->send(json::serialize(frame))) return;
  const auto deadline = Clock::now() + 5s;
  while (std::find(responses_.begin(), responses_.end(), id) == responses_.end()) {
    const auto now = Clock::now();
    if (now >= deadline) throw std::runtime_error("barrier: no response from the socket");
    if (!receive_one(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)) && socket_->closed()) {
      return;
    }
  }
}

std::vector<json::object> Peer::pending(std::string_view name) const {
  std::vector<json::object> out;
  for (const auto& e : inbox_) {
    if (str(e, "eventName") == name) out.push_back(e);
  }
  return out;
}

void Peer::clear() {
  barrier();
  inbox_.clear();
}

void Peer::disconnect() { socket_.reset(); }

std::string Peer::history() const { return socket_ ? socket_->history() : std::string("(no socket)"); }

// -------------------------------------------------------------- VoiceServerTest

void VoiceServerTest::TearDown() {
  for (const auto& peer : peers_) {
    for (const auto& v : peer->violations()) ADD_FAILURE() << "client event of " << peer->session() << ": " << v;
  }
  for (const auto& [index, recorder] : recorders_) {
    for (const auto& v : recorder->violations()) ADD_FAILURE() << "bus event: " << v;
  }
  peers_.clear();
  // Shared Redis: leave no rooms behind for other runs' eviction sweeps.
  if (backend_set() == BackendSet::kServers) {
    for (const auto& [p, room] : created_rooms_) {
      (void)api(p, "/voice/room/delete", json::object{{"roomId", room}}, admin_token());
    }
  }
  created_rooms_.clear();
  ServerTest::TearDown();
  recorders_.clear();
}

servertest::TestNode& VoiceServerTest::start_voice(const Env& env) {
  servertest::NodeOptions options;
  options.env = {
      {"VOICE_SERVICE_ENABLED", "true"},
      {"VOICE_AD_HOC_ROOMS_ENABLED", "false"},
      {"VOICE_STUN_SERVERS", ""},
  };
  for (const auto& [k, v] : env) options.env[k] = v;
  return start(options);
}

BusRecorder& VoiceServerTest::bus(std::size_t index) {
  auto& slot = recorders_[index];
  if (!slot) slot = std::make_unique<BusRecorder>(nodes_.at(index)->server().bus());
  return *slot;
}

std::string VoiceServerTest::admin_token() {
  static const std::string session = new_session();
  return token(session, {"admin"});
}

std::string VoiceServerTest::service_token() {
  static const std::string session = new_session();
  return token(session, {"service"});
}

HttpReply VoiceServerTest::api(std::uint16_t port, const std::string& path, const json::value& body,
                               const std::string& bearer) {
  return post(port, path, body, bearer);
}

std::string VoiceServerTest::create_room(std::uint16_t port, json::object extra) {
  json::object body{{"sessionId", new_session()}};
  for (auto& [k, v] : extra) body[k] = v;
  auto reply = api(port, "/voice/room/create", body, admin_token());
  if (reply.status != 200)
    throw std::runtime_error("create room failed: " + std::to_string(reply.status) + " " + reply.body);
  auto id = str(reply.json(), "roomId");
  created_rooms_.emplace_back(port, id);
  return id;
}

HttpReply VoiceServerTest::join(const Peer& peer, const std::string& room, const std::string& sdp_offer,
                                json::object extra) {
  return join_as(peer.port(), peer.token(), room, sdp_offer, std::move(extra));
}

HttpReply VoiceServerTest::join_as(std::uint16_t port, const std::string& token, const std::string& room,
                                   const std::string& sdp_offer, json::object extra) {
  json::object body{{"roomId", room}, {"sipEndpoint", json::object{{"sdpOffer", sdp_offer}}}};
  for (auto& [k, v] : extra) body[k] = v;
  return api(port, "/voice/room/join", body, token);
}

json::value VoiceServerTest::room_of(std::uint16_t port, const std::string& room) {
  auto reply = api(port, "/voice/room/get", json::object{{"roomId", room}}, admin_token());
  if (reply.status == 404) return nullptr;
  if (reply.status != 200)
    throw std::runtime_error("get room failed: " + std::to_string(reply.status) + " " + reply.body);
  return reply.json();
}

std::vector<std::string> VoiceServerTest::participants_of(std::uint16_t port, const std::string& room) {
  std::vector<std::string> out;
  auto r = room_of(port, room);
  const auto list = at(r, "participants");
  if (list.is_array()) {
    for (const auto& p : list.as_array()) out.push_back(str(p, "sessionId"));
  }
  return sorted(std::move(out));
}

Peer& VoiceServerTest::add_peer(std::uint16_t port, bool with_socket) {
  peers_.push_back(std::make_unique<Peer>(port, new_session(), std::vector<std::string>{"user"}, with_socket));
  return *peers_.back();
}

}  // namespace onair::voicetest
