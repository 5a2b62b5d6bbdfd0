#pragma once
// The embedded StateStore: everything in this process's memory. Thread-safe
// (one mutex); every call completes inline, without a thread hop. Expired
// entries are dropped lazily when touched, by keys_with_prefix, and by
// purge_expired() (for a periodic sweeper). Versions come from one store-wide
// counter, so a key deleted and written again never reuses a version.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "infra/state_store.hpp"

namespace onair::infra {

class MemoryStateStore final : public StateStore {
 public:
  MemoryStateStore() = default;
  MemoryStateStore(const MemoryStateStore&) = delete;
  MemoryStateStore& operator=(const MemoryStateStore&) = delete;

  std::string_view backend_name() const override { return "memory"; }

  // A value operation on a set key (or a set operation on a value key)
  // throws InfraError("memory", ...), as Redis answers WRONGTYPE.
  Task<std::optional<StoredValue>> get(std::string key) override;
  Task<std::uint64_t> set(std::string key, std::string value, Ttl ttl = kNoExpiry) override;
  Task<std::optional<std::uint64_t>> set_if_version(std::string key, std::string value, std::uint64_t expected_version,
                                                    Ttl ttl = kNoExpiry) override;
  Task<bool> remove(std::string key) override;
  Task<bool> expire(std::string key, Ttl ttl) override;
  Task<std::vector<std::string>> keys_with_prefix(std::string prefix) override;

  Task<bool> set_add(std::string key, std::string member) override;
  Task<bool> set_remove(std::string key, std::string member) override;
  Task<std::vector<std::string>> set_members(std::string key) override;

  Task<bool> ping() override;

  // Drops every expired entry now; returns how many were dropped.
  std::size_t purge_expired();

 private:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    bool is_set = false;
    std::string data;                         // when !is_set
    std::uint64_t version = 0;                // when !is_set
    std::unordered_set<std::string> members;  // when is_set (never empty)
    std::optional<Clock::time_point> expires_at;
  };

  // All of these require mutex_ to be held.
  Entry* find_live(const std::string& key, Clock::time_point now);
  std::uint64_t write_value(std::string key, std::string value, Ttl ttl, Clock::time_point now);

  std::optional<StoredValue> get_now(const std::string& key);
  std::uint64_t set_now(std::string key, std::string value, Ttl ttl);
  std::optional<std::uint64_t> set_if_version_now(std::string key, std::string value, std::uint64_t expected, Ttl ttl);
  bool remove_now(const std::string& key);
  bool expire_now(const std::string& key, Ttl ttl);
  std::vector<std::string> keys_with_prefix_now(const std::string& prefix);
  bool set_add_now(std::string key, std::string member);
  bool set_remove_now(const std::string& key, const std::string& member);
  std::vector<std::string> set_members_now(const std::string& key);

  // Owned by this; guarded by mutex_.
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t last_version_ = 0;
};

}  // namespace onair::infra
