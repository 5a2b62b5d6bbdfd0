#include "stream_server/fake_platforms_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#ifndef ONAIR_FAKE_PLATFORMS_SCRIPT
#error "ONAIR_FAKE_PLATFORMS_SCRIPT (tools/fake-platforms/fake_platforms.py) must be defined by the build"
#endif
#ifndef ONAIR_TEST_PYTHON
#define ONAIR_TEST_PYTHON "python3"
#endif

namespace onair::streamtest {
namespace json = boost::json;

FakePlatformsProcess::FakePlatformsProcess() {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("fake platforms: pipe failed");
  std::string python = ONAIR_TEST_PYTHON;
  std::string script = ONAIR_FAKE_PLATFORMS_SCRIPT;
  std::string port_flag = "--port";
  std::string zero = "0";
  char* argv[] = {python.data(), script.data(), port_flag.data(), zero.data(), nullptr};
  pid_ = fork();
  if (pid_ == 0) {
    // The child dies with the test process even when the test crashes (no orphan holding its pipes).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(out[1]);
  if (pid_ < 0) {
    close(out[0]);
    throw std::runtime_error("fake platforms: cannot start " + python);
  }
  // First line: {"port": N, "base_url": "..."}.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    const auto n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);  // later output is not read (a closed pipe only matters if it writes, and it does not)
  boost::system::error_code ec;
  auto v = json::parse(line.substr(0, line.find('\n')), ec);
  if (ec || !v.is_object() || !v.as_object().contains("port")) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("fake platforms: no port line (" + line + ")");
  }
  port_ = static_cast<std::uint16_t>(v.as_object().at("port").to_number<int>());
}

FakePlatformsProcess::~FakePlatformsProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
}

testing::HttpReply FakePlatformsProcess::request(const std::string& method, const std::string& target,
                                                 const std::string& body, testing::Headers headers) {
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return testing::http_request(port_, method, target, body, std::move(headers), std::chrono::seconds(15));
}

json::value FakePlatformsProcess::control(const std::string& method, const std::string& path, const json::value& body) {
  auto reply = request(method, path, method == "GET" ? std::string() : json::serialize(body));
  if (reply.status < 200 || reply.status >= 300) {
    throw std::runtime_error("fake platforms: " + method + " " + path + " answered " + std::to_string(reply.status) +
                             " " + reply.body);
  }
  return reply.json();
}

}  // namespace onair::streamtest
