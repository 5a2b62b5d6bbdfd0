#include "showtime/service/voice_rooms.hpp"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <chrono>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "platform/access_token.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace {

constexpr std::string_view kCreatePath = "/voice/room/create";
constexpr std::string_view kDeletePath = "/voice/room/delete";

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// One blocking POST; returns the HTTP status (0 when unreachable).
int blocking_post(const std::string& url, const std::string& token, const std::string& body) {
  CURL* curl = curl_easy_init();
  if (!curl) return 0;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  const auto auth = "Authorization: Bearer " + token;
  headers = curl_slist_append(headers, auth.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return static_cast<int>(status);
}

}  // namespace

VoiceRooms::VoiceRooms(const platform::RouteTable* routes, std::optional<std::string> base_url,
                       std::optional<std::string> jwt_secret)
    : routes_(routes), base_url_(std::move(base_url)), jwt_secret_(std::move(jwt_secret)) {
  if (base_url_) {
    while (!base_url_->empty() && base_url_->back() == '/') base_url_->pop_back();
    pool_ = std::make_unique<BlockingPool>(1);
  }
}

VoiceRooms::~VoiceRooms() {
  if (pool_) pool_->join();
}

bool VoiceRooms::available() const { return base_url_ || (routes_ && routes_->find(kCreatePath)); }

Task<int> VoiceRooms::call(const std::string& path, std::string body) {
  if (base_url_) {
    if (!jwt_secret_) throw ApiError(503, "no ONAIR_JWT_SECRET to sign the service token for the voice service");
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    platform::TokenSigner signer(*jwt_secret_);
    auto token = signer.mint(platform::AccessClaims{"showtime", new_uuid(), {"service"}, now - 5, now + 300});
    auto url = *base_url_ + path;
    auto post = [url = std::move(url), token = std::move(token), body = std::move(body)] {
      return blocking_post(url, token, body);
    };
    const int status = co_await run_blocking(*pool_, std::move(post));
    if (status == 0) throw ApiError(503, "the voice service at " + *base_url_ + " is unreachable");
    co_return status;
  }
  const auto* route = routes_ ? routes_->find(path) : nullptr;
  if (!route) throw ApiError(503, "the voice service is not running");
  platform::CallContext caller{"showtime", "", {"service"}, new_request_id()};
  const auto parsed = json::parse(body);
  try {
    auto result = co_await route->handler(parsed, caller);
    co_return result.status;
  } catch (const ApiError& e) {
    co_return e.status();
  }
}

Task<void> VoiceRooms::create(const std::string& room_id, const std::string& owner_session_id,
                              std::optional<std::int64_t> max_participants) {
  json::object body{{"sessionId", owner_session_id}, {"roomId", room_id}, {"autoCleanup", false}};
  if (max_participants) body["maxParticipants"] = *max_participants;
  const int status = co_await call(std::string(kCreatePath), json::serialize(body));
  if (status == 200 || status == 409) co_return;  // 409: it exists already (a retried create)
  throw ApiError(status >= 500 ? 503 : 502,
                 "the voice service refused the room (status " + std::to_string(status) + ")");
}

Task<bool> VoiceRooms::remove(const std::string& room_id) {
  json::object body{{"roomId", room_id}};
  const int status = co_await call(std::string(kDeletePath), json::serialize(body));
  if (status == 200) co_return true;
  if (status == 404) co_return false;
  throw ApiError(503, "the voice service could not delete the room (status " + std::to_string(status) + ")");
}

}  // namespace onair::showtime
