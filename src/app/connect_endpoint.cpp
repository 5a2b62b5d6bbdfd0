#include "app/connect_endpoint.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"

namespace onair::app {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace {

std::string error_frame(int status, std::string_view message, const json::value* id = nullptr) {
  json::object frame{{"type", "error"}, {"status", status}, {"error", message}};
  if (id) frame["id"] = *id;
  return json::serialize(frame);
}

std::string_view bearer_of(const net::HttpRequest& request) {
  auto value = request.header("authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  return value.substr(0, kPrefix.size()) == kPrefix ? value.substr(kPrefix.size()) : std::string_view{};
}

// A socket call's frame, parsed into an arena the call owns: its DOM costs one allocation instead
// of one per member, and goes away with the call.
struct CallFrame {
  unsigned char scratch[768];
  json::monotonic_resource arena{scratch, sizeof scratch};
  std::optional<json::value> value;  // destroyed before the arena it lives in
};

// {"type":"response","id":<as sent>,"status":N,"body":<the result's JSON as it is>}
std::string response_frame(const json::value& id, const platform::ApiResult& result) {
  std::string frame;
  frame.reserve(64 + result.json.size());
  frame.append(R"({"type":"response","id":)");
  frame.append(json::serialize(id));
  frame.append(R"(,"status":)");
  frame.append(std::to_string(result.status));
  frame.append(R"(,"body":)");
  frame.append(result.json);
  frame.push_back('}');
  return frame;
}

// The first frame's token; empty when the frame is not {"token": "..."}.
std::string token_of(const std::string& frame) {
  boost::system::error_code ec;
  auto v = json::parse(frame, ec);
  if (ec || !v.is_object()) return {};
  const auto* token = v.as_object().if_contains("token");
  return token && token->is_string() ? std::string(token->as_string()) : std::string();
}

}  // namespace

ConnectEndpoint::ConnectEndpoint(platform::ApiDispatcher& dispatcher, platform::ClientEventHub& hub,
                                 const std::vector<platform::SessionClosedListener>& session_closed,
                                 ConnectOptions options)
    : dispatcher_(dispatcher), hub_(hub), session_closed_(session_closed), options_(options) {}

Task<std::optional<platform::AccessClaims>> ConnectEndpoint::handshake(net::WebSocketChannel& channel,
                                                                       const net::HttpRequest& upgrade) {
  std::string token(bearer_of(upgrade));
  if (token.empty()) {
    // The read is not raced against the timer with ||: cancelling a Beast
    // WebSocket read tears the TCP connection down without a close frame.
    // The timer closes the socket instead (1008), which ends the read.
    asio::steady_timer deadline(co_await asio::this_coro::executor, options_.handshake_timeout);
    auto answered = std::make_shared<bool>(false);
    deadline.async_wait([&channel, answered](boost::system::error_code ec) {
      if (!ec && !*answered) channel.close(1008, "no token sent");
    });
    auto frame = co_await channel.read();
    *answered = true;
    deadline.cancel();
    if (!frame) co_return std::nullopt;
    token = token_of(*frame);
  }
  try {
    auto claims = dispatcher_.authenticate(token);
    // A token without a session id gets one for the life of this socket.
    if (claims.session_id.empty()) claims.session_id = new_uuid();
    co_return claims;
  } catch (const ApiError& e) {
    channel.send(error_frame(e.status(), e.what()));
    channel.close(1008, "unauthorized");
    co_return std::nullopt;
  }
}

Task<void> ConnectEndpoint::run(std::shared_ptr<net::WebSocketChannel> channel, net::HttpRequest upgrade) {
  auto claims_opt = co_await handshake(*channel, upgrade);
  if (!claims_opt) co_return;
  auto claims = std::make_shared<const platform::AccessClaims>(std::move(*claims_opt));
  const auto& session_id = claims->session_id;

  channel->send(
      json::serialize(json::object{{"type", "welcome"}, {"sessionId", session_id}, {"accountId", claims->account_id}}));
  const auto handle = hub_.attach(
      session_id,
      [channel](const std::string& event_json) { channel->send(R"({"type":"event","event":)" + event_json + "}"); },
      claims->account_id);
  metrics().increment("onair_websocket_sessions_total");
  log::info("socket connected", {{"sessionId", session_id}});

  auto in_flight = std::make_shared<std::size_t>(0);
  auto executor = co_await asio::this_coro::executor;
  while (auto frame = co_await channel->read()) {
    boost::system::error_code ec;
    auto parsed = std::make_shared<CallFrame>();
    parsed->value.emplace(json::parse(*frame, ec, &parsed->arena));
    if (ec || !parsed->value->is_object()) {
      channel->send(error_frame(400, "frame is not a JSON object"));
      continue;
    }
    auto& message = parsed->value->as_object();
    // The body goes to the route as parsed here (no serialize and parse again), in the frame's arena.
    // Added first when absent: adding a member may move the others.
    if (!message.contains("body")) message.emplace("body", json::object(&parsed->arena));
    auto* body = message.if_contains("body");
    const auto* id = message.if_contains("id");
    const auto* path = message.if_contains("path");
    if (!id || !(id->is_string() || id->is_number()) || !path || !path->is_string()) {
      channel->send(error_frame(400, "a call needs \"id\" (string or number) and \"path\" (string)", id));
      continue;
    }
    if (*in_flight >= options_.max_calls_in_flight) {
      channel->send(error_frame(429, "too many calls in flight on this socket", id));
      continue;
    }
    ++*in_flight;
    asio::co_spawn(
        executor,
        [this, channel, claims, in_flight, parsed, id, body,
         call_path = std::string(path->as_string())]() -> Task<void> {
          platform::ApiCall call;
          call.path = call_path;
          call.parsed_body = body;
          call.verified = claims.get();
          call.request_id = new_request_id();
          call.transport = "websocket";
          auto result = co_await dispatcher_.dispatch(std::move(call));
          --*in_flight;
          channel->send(response_frame(*id, result));
        },
        asio::detached);
  }

  hub_.detach(session_id, handle);
  log::info("socket disconnected", {{"sessionId", session_id}});
  if (!hub_.is_connected_here(session_id)) {
    for (const auto& listener : session_closed_) {
      try {
        co_await listener(session_id);
      } catch (const std::exception& e) {
        log::error("session-closed listener failed", {{"sessionId", session_id}, {"error", e.what()}});
      }
    }
  }
}

}  // namespace onair::app
