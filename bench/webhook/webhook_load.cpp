// Load generator for bench/webhook/run.sh: sends pre-built, correctly signed Twitch EventSub
// channel.chat.message notifications (notifications.hpp) to a running server over keep-alive
// connections, each with up to WINDOW requests in flight (1 = one at a time, as Twitch sends; more
// pipelines), until SECONDS pass or all COUNT notifications are answered.
//
//   webhook_load PORT SECRET BROADCASTER_ID DATA_DIR CONNECTIONS WINDOW SECONDS COUNT
//
// Prints one line: requests/s (answers over elapsed time), 2xx answers, non-2xx answers, p50 and
// p99 latency in ms (written to answered, including time queued in the window), mean request
// bytes. Chat lines come from the sentiment dev set with bench/sentiment's variations. One thread
// that busy-polls (WEBHOOK_LOAD_SLEEP=1: sleeps in epoll instead); run it pinned to a CPU other
// than the server's. A server that closes a connection (nginx after keepalive_requests) gets the
// unanswered requests again on a new one. Exit 1 when anything failed (connection error, non-2xx).
#include <algorithm>
#include <boost/asio.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <random>
#include <string_view>

#include "../sentiment/corpus.hpp"
#include "notifications.hpp"
#include "stream/sentiment/evaluation.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  std::uint16_t port = 0;
  std::size_t window = 1;
  Clock::time_point until;
  std::vector<std::string> requests;
  std::size_t next = 0;
  std::uint64_t ok = 0, failed = 0;
  std::vector<float> latency_us;
  Clock::time_point last_answer;
  int reported = 0;
};

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// One keep-alive connection's state. Requests written but not answered yet stay in `sent`; when
// the server closes (nginx ends a connection after keepalive_requests, 1000 by default) they are
// written again on a new connection, as a client must for requests it got no answer to.
struct Connection {
  explicit Connection(asio::any_io_executor ex) : socket(std::move(ex)) {}
  tcp::socket socket;
  std::string in;  // received bytes; the next response starts at `pos`
  std::size_t pos = 0;
  struct InFlight {
    std::size_t index;
    Clock::time_point sent;
  };
  std::deque<InFlight> sent;
  std::deque<std::size_t> again;  // to write again after a reconnect
};

struct Answer {
  int status = 0;
  bool close = false;  // "Connection: close": the server ends the connection after it
};

// Reads one response (Content-Length framing, as onair and nginx answer).
asio::awaitable<Answer> read_response(Connection& c, std::string* body_out) {
  auto fill = [&c]() -> asio::awaitable<void> {
    const auto had = c.in.size();
    c.in.resize(had + 65536);
    const auto n = co_await c.socket.async_read_some(asio::buffer(c.in.data() + had, 65536), asio::use_awaitable);
    c.in.resize(had + n);
  };
  std::size_t head_end;
  while ((head_end = c.in.find("\r\n\r\n", c.pos)) == std::string::npos) co_await fill();
  const std::string_view head(c.in.data() + c.pos, head_end - c.pos);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") throw std::runtime_error("not an HTTP response");
  Answer answer;
  answer.status = std::stoi(std::string(head.substr(9, 3)));
  std::size_t length = 0;
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos; line = head.find("\r\n", line + 2)) {
    const auto rest = head.substr(line + 2);
    const auto value = rest.substr(0, rest.find("\r\n"));
    if (iequals_prefix(value, "content-length:")) length = std::stoul(std::string(value.substr(15)));
    if (iequals_prefix(value, "transfer-encoding:")) throw std::runtime_error("chunked answers are not expected");
    if (iequals_prefix(value, "connection:") && value.find("close") != std::string_view::npos) answer.close = true;
  }
  const auto body_at = head_end + 4;
  while (c.in.size() < body_at + length) co_await fill();
  if (body_out) body_out->assign(c.in, body_at, length);
  c.pos = body_at + length;
  if (c.pos > 32768 && c.pos * 2 > c.in.size()) {
    c.in.erase(0, c.pos);
    c.pos = 0;
  }
  co_return answer;
}

asio::awaitable<void> connect(Run& run, Connection& c) {
  boost::system::error_code ignored;
  c.socket.close(ignored);
  c.in.clear();
  c.pos = 0;
  for (auto it = c.sent.rbegin(); it != c.sent.rend(); ++it) c.again.push_front(it->index);
  c.sent.clear();
  co_await c.socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), asio::use_awaitable);
  c.socket.set_option(tcp::no_delay(true));
}

asio::awaitable<void> connection(Run& run) {
  Connection c(co_await asio::this_coro::executor);
  co_await connect(run, c);
  std::vector<asio::const_buffer> out;
  int reconnects = 0;
  for (;;) {
    out.clear();
    const auto now = Clock::now();
    while (c.sent.size() < run.window) {
      std::size_t index;
      if (!c.again.empty()) {
        index = c.again.front();
        c.again.pop_front();
      } else if (run.next < run.requests.size() && now < run.until) {
        index = run.next++;
      } else {
        break;
      }
      out.push_back(asio::buffer(run.requests[index]));
      c.sent.push_back({index, now});
    }
    bool broken = false;
    if (!out.empty()) {
      auto [ec, n] = co_await asio::async_write(c.socket, out, asio::as_tuple(asio::use_awaitable));
      broken = static_cast<bool>(ec);
    }
    if (c.sent.empty()) break;
    std::string body;
    Answer answer;
    if (!broken) {
      try {
        answer = co_await read_response(c, run.reported < 3 ? &body : nullptr);
      } catch (const boost::system::system_error&) {
        broken = true;  // closed before answering what is in flight: written again below
      }
    }
    if (broken) {
      if (++reconnects > 10000) throw std::runtime_error("the server keeps closing the connection");
      co_await connect(run, c);
      continue;
    }
    const auto answered = Clock::now();
    run.latency_us.push_back(std::chrono::duration<float, std::micro>(answered - c.sent.front().sent).count());
    c.sent.pop_front();
    run.last_answer = answered;
    if (answer.status >= 200 && answer.status < 300) {
      ++run.ok;
    } else {
      ++run.failed;
      if (run.reported++ < 3) std::cerr << "webhook_load: answer " << answer.status << ": " << body << "\n";
    }
    if (answer.close) {
      ++reconnects;
      co_await connect(run, c);
    }
  }
  boost::system::error_code ec;
  c.socket.shutdown(tcp::socket::shutdown_both, ec);
}

double percentile_ms(std::vector<float>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::cerr << "usage: webhook_load PORT SECRET BROADCASTER_ID DATA_DIR CONNECTIONS WINDOW SECONDS COUNT\n";
    return 2;
  }
  Run run;
  run.port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  const int connections = std::stoi(argv[5]);
  run.window = static_cast<std::size_t>(std::max(1, std::stoi(argv[6])));
  const int seconds = std::stoi(argv[7]);
  const auto count = static_cast<std::size_t>(std::stoul(argv[8]));

  std::vector<std::string> lines;
  for (auto& l : onair::stream::sentiment::read_dev_set(std::string(argv[4]) + "/dev_set.tsv")) {
    lines.push_back(std::move(l.text));
  }
  const auto seed = std::random_device{}();
  const auto texts = onair::bench::make_sentiment_corpus(lines, 20000, seed);
  onair::bench::ChatNotificationOptions options;
  options.secret = argv[2];
  options.broadcaster_id = argv[3];
  options.host = "127.0.0.1:" + std::to_string(run.port);
  options.seed = seed;
  const auto built_from = Clock::now();
  run.requests = onair::bench::make_chat_notifications(options, texts, count);
  std::size_t bytes = 0;
  for (const auto& r : run.requests) bytes += r.size();
  std::cerr << "webhook_load: " << count << " notifications built in "
            << std::chrono::duration<double>(Clock::now() - built_from).count() << " s\n";
  run.latency_us.reserve(count);

  asio::io_context io;
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  const auto started = Clock::now();
  run.until = started + std::chrono::seconds(seconds);
  run.last_answer = started;
  for (int i = 0; i < connections; ++i) asio::co_spawn(io, connection(run), on_done);
  if (std::getenv("WEBHOOK_LOAD_SLEEP")) {
    io.run_for(std::chrono::seconds(seconds + 30));
  } else {
    // Busy-polls: the generator never sleeps, so no answer costs a wake-up of a sleeping local client
    // (on a VM that is an IPI through the hypervisor, as costly as the request itself).
    const auto give_up = Clock::now() + std::chrono::seconds(seconds + 30);
    while (!io.stopped() && Clock::now() < give_up) io.poll();
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "webhook_load: " << e.what() << "\n";
      return 1;
    }
  }
  const double elapsed = std::chrono::duration<double>(run.last_answer - started).count();
  const auto answered = run.ok + run.failed;
  if (run.next == run.requests.size() && run.last_answer < run.until) {
    std::cerr << "webhook_load: all " << count << " notifications answered in " << elapsed << " s\n";
  }
  std::printf("%.0f %llu %llu %.3f %.3f %.0f\n", elapsed > 0 ? static_cast<double>(answered) / elapsed : 0.0,
              static_cast<unsigned long long>(run.ok), static_cast<unsigned long long>(run.failed),
              percentile_ms(run.latency_us, 0.50), percentile_ms(run.latency_us, 0.99),
              static_cast<double>(bytes) / static_cast<double>(std::max<std::size_t>(count, 1)));
  return run.failed == 0 && answered > 0 ? 0 : 1;
}
