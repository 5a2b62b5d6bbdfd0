#pragma once
// Runs a coroutine to completion on a private io_context: lets tests call
// Task-returning code as if it were synchronous.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <type_traits>

#include "core/task.hpp"

namespace onair::testing {

template <class T>
T run_task(boost::asio::io_context& io, Task<T> task) {
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> result;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, auto... value) {
    error = e;
    if constexpr (std::is_void_v<T>) {
      result.emplace(true);
    } else {
      (result.emplace(std::move(value)), ...);
    }
  });
  io.restart();
  while (!result && !error) {
    if (io.run_one() == 0) break;
  }
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace onair::testing
