#include "app/settings.hpp"

namespace onair::app {

std::string jwt_secret_of(const gen::server::ServerConfiguration& config) {
  return config.jwt_secret ? *config.jwt_secret : std::string(kDevelopmentJwtSecret);
}

ServerSettings settings_from(const gen::server::ServerConfiguration& c) {
  ServerSettings s;
  s.http.address = c.bind_address;
  s.http.port = static_cast<std::uint16_t>(c.port);
  s.http.body_limit = static_cast<std::size_t>(c.body_limit_bytes);
  s.http.request_timeout = std::chrono::seconds(c.header_timeout_seconds);
  s.http.idle_timeout = std::chrono::seconds(c.idle_timeout_seconds);
  s.http.websocket_max_message = static_cast<std::size_t>(c.web_socket_max_message_bytes);
  s.backends.state = std::string(gen::server::to_string(c.state_backend));
  s.backends.sql = std::string(gen::server::to_string(c.sql_backend));
  s.backends.bus = std::string(gen::server::to_string(c.bus_backend));
  s.backends.lock = std::string(gen::server::to_string(c.lock_backend));
  s.backends.redis_url = c.redis_url;
  s.backends.sqlite_path = c.sqlite_path;
  s.backends.mariadb_url = c.mariadb_url;
  s.backends.rabbitmq_url = c.rabbitmq_url;
  s.backends.blocking_threads = static_cast<std::size_t>(c.blocking_threads);
  s.io_threads = static_cast<std::size_t>(c.io_threads);
  s.jwt_secret = jwt_secret_of(c);
  s.web_root = c.web_root;
  s.drain = std::chrono::seconds(c.shutdown_drain_seconds);
  s.services_enabled = {{"voice", c.voice_service_enabled},
                        {"stream", c.stream_service_enabled},
                        {"showtime", c.showtime_service_enabled},
                        {"sample", c.sample_service_enabled}};
  return s;
}

}  // namespace onair::app
