#pragma once
// Calls to the platforms (OAuth token endpoints, Helix, YouTube Data API) with libcurl.
// Every call is blocking inside and runs on this class's own BlockingPool, never on an
// I/O thread. Answers the status (0 when unreachable) and the body; never throws for
// HTTP-level failures. Nothing here logs: bodies carry tokens.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/blocking.hpp"
#include "core/task.hpp"

namespace onair::stream {

struct PlatformReply {
  int status = 0;  // 0: unreachable / timeout
  std::string body;
};

class PlatformHttp {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  explicit PlatformHttp(long timeout_seconds, std::size_t threads = 2);
  ~PlatformHttp();
  PlatformHttp(const PlatformHttp&) = delete;
  PlatformHttp& operator=(const PlatformHttp&) = delete;

  // POST application/x-www-form-urlencoded.
  Task<PlatformReply> post_form(std::string url, Fields form, Fields headers = {});
  Task<PlatformReply> get(std::string url, Fields headers = {});
  // Any method; a non-empty body goes with `content_type` (Helix EventSub: POST JSON, DELETE).
  Task<PlatformReply> send(std::string method, std::string url, std::string body, std::string content_type,
                           Fields headers = {});

  static std::string url_encode(std::string_view text);
  static std::string form_encode(const Fields& fields);

 private:
  long timeout_seconds_;
  std::unique_ptr<BlockingPool> pool_;
};

}  // namespace onair::stream
