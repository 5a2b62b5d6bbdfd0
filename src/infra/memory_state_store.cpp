#include "infra/memory_state_store.hpp"

#include <stdexcept>
#include <utility>

#include "core/errors.hpp"

namespace onair::infra {
namespace {

constexpr const char* kBackend = "memory";

void check_ttl(Ttl ttl) {
  if (ttl < Ttl::zero()) throw std::invalid_argument("state store: negative TTL");
}

[[noreturn]] void wrong_type(const char* what) {
  throw InfraError(kBackend, std::string("WRONGTYPE: the key holds ") + what);
}

}  // namespace

MemoryStateStore::Entry* MemoryStateStore::find_live(const std::string& key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second.expires_at && *it->second.expires_at <= now) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second;
}

std::uint64_t MemoryStateStore::write_value(std::string key, std::string value, Ttl ttl, Clock::time_point now) {
  Entry& entry = entries_[std::move(key)];
  entry.is_set = false;
  entry.members.clear();
  entry.data = std::move(value);
  entry.version = ++last_version_;
  entry.expires_at.reset();
  if (ttl != kNoExpiry) entry.expires_at = now + ttl;
  return entry.version;
}

std::optional<StoredValue> MemoryStateStore::get_now(const std::string& key) {
  std::lock_guard lock(mutex_);
  Entry* entry = find_live(key, Clock::now());
  if (!entry) return std::nullopt;
  if (entry->is_set) wrong_type("a set");
  return StoredValue{entry->data, entry->version};
}

std::uint64_t MemoryStateStore::set_now(std::string key, std::string value, Ttl ttl) {
  check_ttl(ttl);
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (Entry* entry = find_live(key, now); entry && entry->is_set) wrong_type("a set");
  return write_value(std::move(key), std::move(value), ttl, now);
}

std::optional<std::uint64_t> MemoryStateStore::set_if_version_now(std::string key, std::string value,
                                                                  std::uint64_t expected, Ttl ttl) {
  check_ttl(ttl);
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  Entry* entry = find_live(key, now);
  if (entry && entry->is_set) wrong_type("a set");
  const std::uint64_t current = entry ? entry->version : 0;
  if (current != expected) return std::nullopt;
  return write_value(std::move(key), std::move(value), ttl, now);
}

bool MemoryStateStore::remove_now(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (!find_live(key, Clock::now())) return false;
  entries_.erase(key);
  return true;
}

bool MemoryStateStore::expire_now(const std::string& key, Ttl ttl) {
  check_ttl(ttl);
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  Entry* entry = find_live(key, now);
  if (!entry) return false;
  entry->expires_at.reset();
  if (ttl != kNoExpiry) entry->expires_at = now + ttl;
  return true;
}

std::vector<std::string> MemoryStateStore::keys_with_prefix_now(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  std::vector<std::string> keys;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.expires_at && *it->second.expires_at <= now) {
      it = entries_.erase(it);
      continue;
    }
    if (it->first.starts_with(prefix)) keys.push_back(it->first);
    ++it;
  }
  return keys;
}

bool MemoryStateStore::set_add_now(std::string key, std::string member) {
  std::lock_guard lock(mutex_);
  Entry* entry = find_live(key, Clock::now());
  if (!entry) {
    Entry& created = entries_[std::move(key)];
    created.is_set = true;
    created.members.insert(std::move(member));
    return true;
  }
  if (!entry->is_set) wrong_type("a value");
  return entry->members.insert(std::move(member)).second;
}

bool MemoryStateStore::set_remove_now(const std::string& key, const std::string& member) {
  std::lock_guard lock(mutex_);
  Entry* entry = find_live(key, Clock::now());
  if (!entry) return false;
  if (!entry->is_set) wrong_type("a value");
  if (entry->members.erase(member) == 0) return false;
  if (entry->members.empty()) entries_.erase(key);  // as Redis: an empty set does not exist
  return true;
}

std::vector<std::string> MemoryStateStore::set_members_now(const std::string& key) {
  std::lock_guard lock(mutex_);
  Entry* entry = find_live(key, Clock::now());
  if (!entry) return {};
  if (!entry->is_set) wrong_type("a value");
  return {entry->members.begin(), entry->members.end()};
}

std::size_t MemoryStateStore::purge_expired() {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  return std::erase_if(entries_,
                       [now](const auto& item) { return item.second.expires_at && *item.second.expires_at <= now; });
}

Task<std::optional<StoredValue>> MemoryStateStore::get(std::string key) { co_return get_now(key); }

Task<std::uint64_t> MemoryStateStore::set(std::string key, std::string value, Ttl ttl) {
  co_return set_now(std::move(key), std::move(value), ttl);
}

Task<std::optional<std::uint64_t>> MemoryStateStore::set_if_version(std::string key, std::string value,
                                                                    std::uint64_t expected_version, Ttl ttl) {
  co_return set_if_version_now(std::move(key), std::move(value), expected_version, ttl);
}

Task<bool> MemoryStateStore::remove(std::string key) { co_return remove_now(key); }

Task<bool> MemoryStateStore::expire(std::string key, Ttl ttl) { co_return expire_now(key, ttl); }

Task<std::vector<std::string>> MemoryStateStore::keys_with_prefix(std::string prefix) {
  co_return keys_with_prefix_now(prefix);
}

Task<bool> MemoryStateStore::set_add(std::string key, std::string member) {
  co_return set_add_now(std::move(key), std::move(member));
}

Task<bool> MemoryStateStore::set_remove(std::string key, std::string member) { co_return set_remove_now(key, member); }

Task<std::vector<std::string>> MemoryStateStore::set_members(std::string key) { co_return set_members_now(key); }

Task<bool> MemoryStateStore::ping() { co_return true; }

}  // namespace onair::infra
