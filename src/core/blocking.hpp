#pragma once
// Runs blocking client-library calls (hiredis, libmariadb, sqlite) on a worker
// pool so that the I/O threads never block; the awaiting coroutine resumes on
// its own executor.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

#include "core/task.hpp"

namespace onair {

using BlockingPool = boost::asio::thread_pool;

template <class F>
auto run_blocking(BlockingPool& pool, F f) -> Task<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  // The coroutine body is stored in a named local first: g++ 12 destroys a
  // temporary lambda argument of co_spawn twice inside a coroutine frame.
  auto body = [fn = std::move(f)]() mutable -> Task<R> {
    if constexpr (std::is_void_v<R>) {
      fn();
      co_return;
    } else {
      co_return fn();
    }
  };
  co_return co_await boost::asio::co_spawn(pool.get_executor(), std::move(body), boost::asio::use_awaitable);
}

}  // namespace onair
