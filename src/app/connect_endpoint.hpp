#pragma once
// WebSocket /connect: the client's one socket to onair.
//
//   client → {"token": "<jwt>"}              (unless sent as Authorization: Bearer)
//   server → {"type":"welcome","sessionId":"…","accountId":"…"}
//   client → {"id": 7, "path": "/voice/room/join", "body": {…}}
//   server → {"type":"response","id":7,"status":200,"body":{…}}
//   server → {"type":"event","event":{"eventName":"voice.peer.joined",…}}
//   server → {"type":"error","status":400,"error":"…"}   (a frame it could not use)
//
// Calls run concurrently (up to a limit per socket); responses carry the id.
#include <functional>
#include <memory>
#include <vector>

#include "core/task.hpp"
#include "net/http_types.hpp"
#include "platform/api_dispatcher.hpp"
#include "platform/client_events.hpp"
#include "platform/service.hpp"

namespace onair::app {

struct ConnectOptions {
  std::chrono::seconds handshake_timeout{10};
  std::size_t max_calls_in_flight = 64;
};

class ConnectEndpoint {
 public:
  ConnectEndpoint(platform::ApiDispatcher& dispatcher, platform::ClientEventHub& hub,
                  const std::vector<platform::SessionClosedListener>& session_closed, ConnectOptions options);

  Task<void> run(std::shared_ptr<net::WebSocketChannel> channel, net::HttpRequest upgrade);

 private:
  Task<std::optional<platform::AccessClaims>> handshake(net::WebSocketChannel& channel,
                                                        const net::HttpRequest& upgrade);

  platform::ApiDispatcher& dispatcher_;
  platform::ClientEventHub& hub_;
  const std::vector<platform::SessionClosedListener>& session_closed_;
  ConnectOptions options_;
};

}  // namespace onair::app
