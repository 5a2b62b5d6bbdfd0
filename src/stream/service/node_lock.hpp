#pragma once
// One node at a time: runs a worker round only while this node holds the named distributed lock
// (the same DistributedLock the showtime workers use). The lock is released after the round, also
// when it throws; its ttl bounds how long a crashed node blocks the others.
#include <chrono>
#include <exception>
#include <functional>
#include <string>

#include "core/task.hpp"
#include "platform/service.hpp"

namespace onair::stream {

// False when another node holds the lock (the round did not run).
inline Task<bool> run_exclusively(platform::ServiceContext& context, std::string name, std::chrono::milliseconds ttl,
                                  std::function<Task<void>()> round) {
  if (!co_await context.lock.try_acquire(name, context.node_id, ttl)) co_return false;
  std::exception_ptr error;
  try {
    co_await round();
  } catch (...) {
    error = std::current_exception();
  }
  co_await context.lock.release(name, context.node_id);
  if (error) std::rethrow_exception(error);
  co_return true;
}

}  // namespace onair::stream
