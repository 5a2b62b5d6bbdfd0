#pragma once
// The one coroutine type of onair: every asynchronous operation is a Task.
#include <boost/asio/awaitable.hpp>

namespace onair {

template <class T = void>
using Task = boost::asio::awaitable<T>;

}  // namespace onair
