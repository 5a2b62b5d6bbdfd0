#pragma once
// The voice service over a running onair (tests/server's ServerTest): nodes
// with the voice service enabled, HTTP helpers for the voice API, a socket
// per participant that keeps every client event it receives (Peer), and a
// recorder of the voice service events on the node's bus (BusRecorder).
//
// Every client event a Peer receives and every bus event the recorder sees is
// also checked against its schema (the generated models' from_json); the
// fixture fails the test in TearDown when one did not match.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "infra/message_bus.hpp"
#include "server/server_fixture.hpp"
#include "support/test_client.hpp"

namespace onair::voicetest {

namespace json = boost::json;
using servertest::BackendSet;
using testing::HttpReply;
using namespace std::chrono_literals;
using Env = std::map<std::string, std::string, std::less<>>;
using EventPredicate = std::function<bool(const json::object&)>;

// A copy of a member of a JSON object, or null when absent (never throws).
json::value at(const json::value& v, std::string_view key);
std::string str(const json::value& v, std::string_view key);  // "" when absent or not a string
std::int64_t num(const json::value& v, std::string_view key, std::int64_t fallback = -1);
bool flag(const json::value& v, std::string_view key, bool fallback = false);
// Sorted strings of a JSON array member.
std::vector<std::string> strings(const json::value& v, std::string_view key);
std::vector<std::string> sorted(std::vector<std::string> v);

// A token for `session` signed with the test servers' secret (ServerTest::token).
std::string mint_token(const std::string& session, std::vector<std::string> roles = {"user"});

// Schema check of a client event (by eventName) or a bus event (by topic):
// empty when it matches, else the validation error.
std::string client_event_violation(const json::value& event);
std::string bus_event_violation(std::string_view topic, const json::value& body);

// Service events on one node's bus: subscribes to voice.# (a private queue,
// so with RabbitMQ it sees what every node publishes) and records them in
// order. Thread-safe; the handler runs on the node's io thread.
class BusRecorder {
 public:
  struct Event {
    std::string topic;
    json::value body;
  };

  explicit BusRecorder(infra::MessageBus& bus);
  ~BusRecorder();
  BusRecorder(const BusRecorder&) = delete;
  BusRecorder& operator=(const BusRecorder&) = delete;

  // Publishes a probe on this recorder's own topic and waits until it comes
  // back: every event published (confirmed) before the call is recorded then.
  void sync(std::chrono::milliseconds timeout = 15s);
  // The first event of `topic` about `room_id` (after skipping `skip` of
  // them) that satisfies `pred`, waiting up to `timeout`.
  std::optional<json::value> wait_for(std::string_view topic, const std::string& room_id,
                                      const EventPredicate& pred = {}, std::chrono::milliseconds timeout = 10s);
  // Recorded events about `room_id`, in order (optionally only `topic`).
  std::vector<Event> of_room(const std::string& room_id, std::string_view topic = {}) const;
  std::size_t count(std::string_view topic, const std::string& room_id) const;
  // Schema violations seen so far ("topic: error").
  std::vector<std::string> violations() const;

  struct State;  // shared with the bus handler

 private:
  std::shared_ptr<State> state_;
  infra::MessageBus& bus_;
  // Runs the probe publishes. It outlives them: RabbitBus's publisher thread
  // still holds a (work-tracking) executor of it for a moment after the
  // publish resumed, so it must not be a local of sync().
  boost::asio::io_context io_;
};

// One participant: a session, its token, and (unless HTTP-only) an open
// /connect socket whose events are kept until a test takes them.
class Peer {
 public:
  Peer(std::uint16_t port, std::string session, std::vector<std::string> roles = {"user"}, bool with_socket = true);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  const std::string& session() const { return session_; }
  const std::string& token() const { return token_; }
  std::uint16_t port() const { return port_; }

  // Takes the first unconsumed client event named `name` that satisfies
  // `pred`, waiting up to `timeout`; other events stay for later.
  std::optional<json::object> take(std::string_view name, const EventPredicate& pred = {},
                                   std::chrono::milliseconds timeout = 5s);
  // Every frame the server queued to this socket before the call is received
  // afterwards (a call's response follows the events sent before it). Only
  // meaningful for events of this node; cross-node events come later.
  void barrier();
  // Unconsumed events named `name` (call barrier() first to be sure).
  std::vector<json::object> pending(std::string_view name) const;
  // Drops every unconsumed event, after a barrier().
  void clear();
  // Closes the socket (a disconnect).
  void disconnect();
  std::string history() const;
  std::vector<std::string> violations() const { return violations_; }

 private:
  void keep(const std::string& frame);
  bool receive_one(std::chrono::milliseconds timeout);

  std::uint16_t port_;
  std::string session_;
  std::string token_;
  std::unique_ptr<testing::TestSocket> socket_;
  std::deque<json::object> inbox_;
  std::vector<std::string> violations_;
  std::int64_t next_call_ = 1;
  std::vector<std::string> responses_;  // ids of barrier responses received
};

class VoiceServerTest : public servertest::ServerTest {
 protected:
  void TearDown() override;

  // A node with the voice service (ad-hoc rooms off, no STUN servers) plus `env`.
  servertest::TestNode& start_voice(const Env& env = {});
  // Records the voice events of node `index` (created on first use).
  BusRecorder& bus(std::size_t index = 0);
  std::uint16_t port(std::size_t index = 0) const { return nodes_.at(index)->port(); }

  static std::string admin_token();
  static std::string service_token();

  // POST a voice API call over HTTP; the reply body is checked to be JSON.
  static HttpReply api(std::uint16_t port, const std::string& path, const json::value& body, const std::string& bearer);

  // Creates a room (admin) and returns its id; it is deleted again in TearDown.
  std::string create_room(std::uint16_t port, json::object extra = {});
  // Joins `room` as `peer` (its own token); returns the reply.
  static HttpReply join(const Peer& peer, const std::string& room, const std::string& sdp_offer = "",
                        json::object extra = {});
  static HttpReply join_as(std::uint16_t port, const std::string& token, const std::string& room,
                           const std::string& sdp_offer = "", json::object extra = {});
  // The room as an admin sees it (status 404: a null value).
  static json::value room_of(std::uint16_t port, const std::string& room);
  static std::vector<std::string> participants_of(std::uint16_t port, const std::string& room);

  // Each Peer's schema violations are collected here on destruction, too.
  std::vector<std::unique_ptr<Peer>> peers_;
  Peer& add_peer(std::uint16_t port, bool with_socket = true);

 private:
  std::map<std::size_t, std::unique_ptr<BusRecorder>> recorders_;
  std::vector<std::pair<std::uint16_t, std::string>> created_rooms_;
};

class VoiceServersOnlyTest : public VoiceServerTest {};

}  // namespace onair::voicetest
