#pragma once
// Ephemeral key/value state (rooms, sessions, buffers) with TTLs, optimistic
// concurrency and sets. Backends: MemoryStateStore, RedisStateStore.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"

namespace onair::infra {

using Ttl = std::chrono::milliseconds;
inline constexpr Ttl kNoExpiry{0};

struct StoredValue {
  std::string data;
  // Increases on every write of the key; the etag of optimistic concurrency.
  std::uint64_t version = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::string_view backend_name() const = 0;

  virtual Task<std::optional<StoredValue>> get(std::string key) = 0;
  // Unconditional write; returns the new version.
  virtual Task<std::uint64_t> set(std::string key, std::string value, Ttl ttl = kNoExpiry) = 0;
  // Writes only when the key's current version equals `expected_version`
  // (0 means "the key must not exist"). Returns the new version, or nullopt
  // when another writer got there first.
  virtual Task<std::optional<std::uint64_t>> set_if_version(std::string key, std::string value,
                                                            std::uint64_t expected_version,
                                                            Ttl ttl = kNoExpiry) = 0;
  // Returns whether the key existed.
  virtual Task<bool> remove(std::string key) = 0;
  // Sets (or with kNoExpiry clears) the expiry of a value or set key; false when absent.
  virtual Task<bool> expire(std::string key, Ttl ttl) = 0;
  // Every live key (values and sets) starting with `prefix`, in no particular order.
  virtual Task<std::vector<std::string>> keys_with_prefix(std::string prefix) = 0;

  // Unordered sets of strings. Add/remove return whether the set changed.
  virtual Task<bool> set_add(std::string key, std::string member) = 0;
  virtual Task<bool> set_remove(std::string key, std::string member) = 0;
  virtual Task<std::vector<std::string>> set_members(std::string key) = 0;

  // Readiness: true when the backend answers.
  virtual Task<bool> ping() = 0;
};

}  // namespace onair::infra
