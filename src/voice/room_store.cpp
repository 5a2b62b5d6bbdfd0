#include "voice/room_store.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"

namespace onair::voice {
namespace {
constexpr std::string_view kRoomPrefix = "voice:room:";
constexpr std::string_view kSessionPrefix = "voice:session-room:";
constexpr int kMaxAttempts = 64;

std::string room_key(const std::string& id) { return std::string(kRoomPrefix) + id; }
std::string session_key(const std::string& id) { return std::string(kSessionPrefix) + id; }
}  // namespace

RoomStore::RoomStore(infra::StateStore& store) : store_(store) {}

Task<std::optional<RoomRecord>> RoomStore::get(const std::string& room_id) {
  auto stored = co_await store_.get(room_key(room_id));
  if (!stored) co_return std::nullopt;
  co_return room_from_json(boost::json::parse(stored->data));
}

Task<std::optional<RoomRecord>> RoomStore::update(const std::string& room_id,
                                                  const std::function<RoomWrite(std::optional<RoomRecord>&)>& change) {
  const auto key = room_key(room_id);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto stored = co_await store_.get(key);
    std::optional<RoomRecord> room;
    if (stored) room = room_from_json(boost::json::parse(stored->data));
    const auto write = change(room);
    if (write == RoomWrite::none) co_return room;
    if (write == RoomWrite::remove) {
      co_await store_.remove(key);
      co_return std::nullopt;
    }
    auto text = boost::json::serialize(to_json(*room));
    if (co_await store_.set_if_version(key, std::move(text), stored ? stored->version : 0)) co_return room;
  }
  throw ApiError(503, "voice room " + room_id + " is too contended; retry");
}

Task<std::vector<std::string>> RoomStore::room_ids() {
  auto keys = co_await store_.keys_with_prefix(std::string(kRoomPrefix));
  for (auto& k : keys) k.erase(0, kRoomPrefix.size());
  co_return keys;
}

Task<void> RoomStore::map_session(const std::string& session_id, const std::string& room_id) {
  co_await store_.set(session_key(session_id), room_id);
}

Task<std::optional<std::string>> RoomStore::room_of(const std::string& session_id) {
  auto stored = co_await store_.get(session_key(session_id));
  if (!stored) co_return std::nullopt;
  co_return stored->data;
}

Task<void> RoomStore::unmap_session(const std::string& session_id, const std::string& room_id) {
  const auto key = session_key(session_id);
  auto stored = co_await store_.get(key);
  if (stored && stored->data == room_id) co_await store_.remove(key);
}

}  // namespace onair::voice
