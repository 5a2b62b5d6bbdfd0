#pragma once
// tools/fake-platforms (the local fake of Twitch and YouTube) as a child process of a test: started on
// a free loopback port (its first stdout line says which), stopped with SIGTERM when destroyed. The
// control API (/_control, tools/fake-platforms/README.md) and the platform endpoints are plain HTTP.
#include <sys/types.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "support/test_client.hpp"

namespace onair::streamtest {

class FakePlatformsProcess {
 public:
  // Throws std::runtime_error when the fake does not come up within a few seconds.
  FakePlatformsProcess();
  ~FakePlatformsProcess();
  FakePlatformsProcess(const FakePlatformsProcess&) = delete;
  FakePlatformsProcess& operator=(const FakePlatformsProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Any request to the fake (`target` is path + query).
  testing::HttpReply request(const std::string& method, const std::string& target, const std::string& body = {},
                             testing::Headers headers = {});
  // A control call with a JSON body; throws when the fake does not answer 2xx.
  boost::json::value control(const std::string& method, const std::string& path,
                             const boost::json::value& body = boost::json::object{});

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace onair::streamtest
