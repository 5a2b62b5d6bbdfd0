#pragma once
// Whether a service still takes work, and how much of its work is under way. Work that may take,
// change or write shared state (a bus handler, a worker round) enters first and is refused once the
// service is stopping; stop() ends the life and waits for the work inside to leave before it writes
// its last state and releases its locks, so nothing runs on after them.
#include <atomic>
#include <chrono>

#include "core/task.hpp"

namespace onair::platform {

class ServiceLife {
 public:
  // Held for the length of one piece of work; false when the service is stopping (skip the work).
  class Entry {
   public:
    explicit Entry(ServiceLife& life);
    ~Entry();
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    explicit operator bool() const noexcept { return admitted_; }

   private:
    ServiceLife* life_;
    bool admitted_;
  };

  bool alive() const noexcept { return alive_.load(); }
  // From now on entries are refused (those already in stay until they leave).
  void end() noexcept { alive_.store(false); }
  std::size_t inside() const noexcept { return static_cast<std::size_t>(inside_.load()); }
  // Resolves when no entry is held (true) or after `limit` (false). Call after end().
  Task<bool> drained(std::chrono::milliseconds limit) const;

 private:
  // Sequentially consistent: an entry counts itself before it reads alive_, end() writes alive_
  // before drained() reads the count, so one of the two always sees the other.
  std::atomic<bool> alive_{true};
  std::atomic<int> inside_{0};
};

}  // namespace onair::platform
