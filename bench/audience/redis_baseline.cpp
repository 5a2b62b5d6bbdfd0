// The upstream plan's audience tick against a real Redis, for the ratio with
// the in-memory engine (issue 4): the pool is one Redis entry per member
// (`aud:{session}:{memberId}` holding the member as JSON, showtime-audience-pool
// store), and a tick does one GET + one SET per member.
//
//   ONAIR_BENCH_REDIS_URL=redis://127.0.0.1:6379/0 bench_audience_redis [members] [ticks]
//
// Two ways of talking to Redis, both measured: one request at a time (what a
// per-key state store API does: GetAsync then SaveAsync) and pipelined in
// batches of 1 000 members (the best case for Redis). Prints member-updates/s.
// The keys live under a random prefix and are deleted at the end.
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
};

// redis://[user:password@]host[:port][/db] (a password is not supported here).
bool parse_url(std::string_view url, RedisUrl& out) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return false;
  url.remove_prefix(scheme.size());
  if (url.find('@') != std::string_view::npos) return false;
  const auto slash = url.find('/');
  const std::string_view hostport = url.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 < url.size())
    out.db = std::atoi(std::string(url.substr(slash + 1)).c_str());
  const auto colon = hostport.rfind(':');
  out.host = std::string(hostport.substr(0, colon));
  if (colon != std::string_view::npos) out.port = std::atoi(std::string(hostport.substr(colon + 1)).c_str());
  return !out.host.empty() && out.port > 0;
}

redisReply* command(redisContext* c, const char* fmt, const std::string& a, const std::string* b = nullptr) {
  void* r =
      b ? redisCommand(c, fmt, a.data(), a.size(), b->data(), b->size()) : redisCommand(c, fmt, a.data(), a.size());
  if (!r) {
    std::fprintf(stderr, "redis: %s\n", c->errstr);
    std::exit(1);
  }
  return static_cast<redisReply*>(r);
}

// The member as the upstream AudienceMemberModel would store it.
std::string member_json(std::size_t i, double engagement) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "{\"memberId\":\"%08zx-0000-4000-8000-%012zx\",\"personalityType\":\"loyal\","
                "\"interestTags\":[\"combat\",\"crafting\"],\"engagementLevel\":%.4f,"
                "\"engagementDecayRate\":0.02,\"sentimentBias\":\"Excited\",\"isRealDerived\":false,"
                "\"lastActiveTimestamp\":\"2025-01-01T00:00:00Z\"}",
                i, i, engagement);
  return buf;
}

// The per-member rule (a small part of the engine's): parse engagement, bump it, write back.
std::string updated(const char* json, std::size_t len, std::size_t i) {
  const std::string_view v(json, len);
  const auto at = v.find("\"engagementLevel\":");
  double e = at == std::string_view::npos ? 0.4 : std::atof(std::string(v.substr(at + 18, 8)).c_str());
  e = e + 0.05 > 1.0 ? 0.1 : e + 0.05;
  return member_json(i, e);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const char* url_env = std::getenv("ONAIR_BENCH_REDIS_URL");
  if (!url_env || !*url_env) {
    std::printf("ONAIR_BENCH_REDIS_URL is not set: skipping the Redis baseline\n");
    return 0;
  }
  RedisUrl url;
  if (!parse_url(url_env, url)) {
    std::fprintf(stderr, "ONAIR_BENCH_REDIS_URL: expected redis://host:port/db\n");
    return 2;
  }
  const std::size_t members = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 3;

  redisContext* c = redisConnect(url.host.c_str(), url.port);
  if (!c || c->err) {
    std::fprintf(stderr, "redis connect %s:%d: %s\n", url.host.c_str(), url.port, c ? c->errstr : "out of memory");
    return 1;
  }
  freeReplyObject(command(c, "SELECT %b", std::to_string(url.db)));
  const std::string prefix = "onair-bench:aud:" + std::to_string(std::random_device{}()) + ":";
  std::vector<std::string> keys(members);
  for (std::size_t i = 0; i < members; ++i) keys[i] = prefix + std::to_string(i);

  // Seed the pool (pipelined).
  for (std::size_t i = 0; i < members; ++i) {
    const std::string v = member_json(i, 0.4);
    redisAppendCommand(c, "SET %b %b", keys[i].data(), keys[i].size(), v.data(), v.size());
    if (i % 1000 == 999 || i + 1 == members) {
      for (std::size_t j = i - i % 1000; j <= i; ++j) {
        void* r = nullptr;
        if (redisGetReply(c, &r) != REDIS_OK) return 1;
        freeReplyObject(r);
      }
    }
  }

  // One request at a time.
  auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < ticks; ++t) {
    for (std::size_t i = 0; i < members; ++i) {
      redisReply* got = command(c, "GET %b", keys[i]);
      const std::string next = updated(got->str ? got->str : "", got->str ? got->len : 0, i);
      freeReplyObject(got);
      freeReplyObject(command(c, "SET %b %b", keys[i], &next));
    }
  }
  const double sequential = double(members) * ticks / seconds_since(t0);

  // Pipelined: GETs of a batch, then SETs of the batch.
  constexpr std::size_t kBatch = 1000;
  t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < ticks; ++t) {
    for (std::size_t b = 0; b < members; b += kBatch) {
      const std::size_t end = std::min(members, b + kBatch);
      for (std::size_t i = b; i < end; ++i) redisAppendCommand(c, "GET %b", keys[i].data(), keys[i].size());
      std::vector<std::string> next;
      next.reserve(end - b);
      for (std::size_t i = b; i < end; ++i) {
        void* r = nullptr;
        if (redisGetReply(c, &r) != REDIS_OK) return 1;
        auto* got = static_cast<redisReply*>(r);
        next.push_back(updated(got->str ? got->str : "", got->str ? got->len : 0, i));
        freeReplyObject(got);
      }
      for (std::size_t i = b; i < end; ++i) {
        redisAppendCommand(c, "SET %b %b", keys[i].data(), keys[i].size(), next[i - b].data(), next[i - b].size());
      }
      for (std::size_t i = b; i < end; ++i) {
        void* r = nullptr;
        if (redisGetReply(c, &r) != REDIS_OK) return 1;
        freeReplyObject(r);
      }
    }
  }
  const double pipelined = double(members) * ticks / seconds_since(t0);

  for (std::size_t i = 0; i < members; ++i) redisAppendCommand(c, "DEL %b", keys[i].data(), keys[i].size());
  for (std::size_t i = 0; i < members; ++i) {
    void* r = nullptr;
    if (redisGetReply(c, &r) == REDIS_OK) freeReplyObject(r);
  }
  redisFree(c);

  std::printf("redis GET+SET per member, %zu members x %d ticks (%s:%d)\n", members, ticks, url.host.c_str(), url.port);
  std::printf("  one request at a time : %12.0f member-updates/s\n", sequential);
  std::printf("  pipelined (1000/batch): %12.0f member-updates/s\n", pipelined);
  return 0;
}
