#include "showtime/service/session_inputs.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace {
constexpr int kAttempts = 32;
constexpr auto kTtl = std::chrono::hours(1);
std::string key(const std::string& id) { return "showtime:inputs:" + id; }
}  // namespace

SessionInputs::SessionInputs(infra::StateStore& state) : state_(state) {}

Task<void> SessionInputs::push(const std::string& session_id, const SessionInput& input) {
  json::object entry{{"kind", input.kind}, {"body", input.body}};
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto stored = co_await state_.get(key(session_id));
    json::array queue;
    if (stored) queue = json::parse(stored->data).as_array();
    queue.push_back(entry);
    auto text = json::serialize(queue);
    if (co_await state_.set_if_version(key(session_id), std::move(text), stored ? stored->version : 0, kTtl)) co_return;
  }
  throw ApiError(503, "session input queue is too contended; retry");
}

Task<std::vector<SessionInput>> SessionInputs::drain(const std::string& session_id) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto stored = co_await state_.get(key(session_id));
    if (!stored) co_return std::vector<SessionInput>{};
    const auto queue = json::parse(stored->data).as_array();
    if (queue.empty()) co_return std::vector<SessionInput>{};
    if (!co_await state_.set_if_version(key(session_id), "[]", stored->version, kTtl)) continue;
    std::vector<SessionInput> out;
    for (const auto& e : queue) {
      const auto& o = e.as_object();
      out.push_back({std::string(o.at("kind").as_string()), o.at("body")});
    }
    co_return out;
  }
  co_return std::vector<SessionInput>{};
}

Task<void> SessionInputs::clear(const std::string& session_id) { co_await state_.remove(key(session_id)); }

}  // namespace onair::showtime
