#include "voice/shared_room_store.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"

namespace onair::voice {
namespace {
constexpr std::string_view kRoomPrefix = "voice:room:";
constexpr std::string_view kSessionPrefix = "voice:session-room:";
constexpr int kMaxAttempts = 64;
constexpr std::size_t kCacheLimit = 16384;  // rooms; cleared whole when reached

std::string room_key(const std::string& id) { return std::string(kRoomPrefix) + id; }
std::string session_key(const std::string& id) { return std::string(kSessionPrefix) + id; }
}  // namespace

SharedRoomStore::SharedRoomStore(infra::StateStore& store) : store_(store) {}

RoomSnapshot SharedRoomStore::decode(const std::string& key, const std::string& text) {
  {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.text == text) return it->second.room;
  }
  auto room = std::make_shared<const RoomRecord>(room_from_json(boost::json::parse(text)));
  remember(key, text, room);
  return room;
}

void SharedRoomStore::remember(const std::string& key, std::string text, const RoomSnapshot& room) {
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit && !cache_.contains(key)) cache_.clear();
  auto& entry = cache_[key];
  entry.text = std::move(text);
  entry.room = room;
}

void SharedRoomStore::forget(const std::string& key) {
  std::lock_guard lock(cache_mutex_);
  cache_.erase(key);
}

Task<RoomSnapshot> SharedRoomStore::get(const std::string& room_id) {
  const auto key = room_key(room_id);
  auto stored = co_await store_.get(key);
  if (!stored) co_return nullptr;
  co_return decode(key, stored->data);
}

Task<RoomSnapshot> SharedRoomStore::update(const std::string& room_id, const RoomChange& change) {
  const auto key = room_key(room_id);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto stored = co_await store_.get(key);
    RoomSnapshot current = stored ? decode(key, stored->data) : nullptr;
    std::optional<RoomRecord> working;
    if (current) working = *current;
    const auto write = change(working);
    if (write == RoomWrite::none) co_return current;
    if (write == RoomWrite::remove) {
      forget(key);
      co_await store_.remove(key);
      co_return nullptr;
    }
    auto written = std::make_shared<const RoomRecord>(std::move(*working));
    auto text = to_text(*written);
    const auto expected = stored ? stored->version : 0;
    if (co_await store_.set_if_version(key, text, expected)) {
      remember(key, std::move(text), written);
      co_return written;
    }
  }
  throw ApiError(503, "voice room " + room_id + " is too contended; retry");
}

Task<std::vector<std::string>> SharedRoomStore::room_ids() {
  auto keys = co_await store_.keys_with_prefix(std::string(kRoomPrefix));
  for (auto& k : keys) k.erase(0, kRoomPrefix.size());
  co_return keys;
}

Task<void> SharedRoomStore::map_session(const std::string& session_id, const std::string& room_id) {
  co_await store_.set(session_key(session_id), room_id);
}

Task<std::optional<std::string>> SharedRoomStore::room_of(const std::string& session_id) {
  auto stored = co_await store_.get(session_key(session_id));
  if (!stored) co_return std::nullopt;
  co_return stored->data;
}

Task<void> SharedRoomStore::unmap_session(const std::string& session_id, const std::string& room_id) {
  const auto key = session_key(session_id);
  auto stored = co_await store_.get(key);
  if (stored && stored->data == room_id) co_await store_.remove(key);
}

}  // namespace onair::voice
