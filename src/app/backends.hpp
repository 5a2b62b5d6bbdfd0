#pragma once
// Opens the four infrastructure backends chosen by configuration: the
// embedded defaults (memory, SQLite, in-process bus, memory lock) or the
// servers (Redis, MariaDB, RabbitMQ, Redis lock).
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "core/blocking.hpp"
#include "infra/distributed_lock.hpp"
#include "infra/message_bus.hpp"
#include "infra/sql_database.hpp"
#include "infra/state_store.hpp"

namespace onair::app {

struct BackendChoice {
  std::string state = "memory";   // memory | redis
  std::string sql = "sqlite";     // sqlite | mariadb
  std::string bus = "inprocess";  // inprocess | rabbitmq
  std::string lock = "memory";    // memory | redis
  std::string redis_url;
  std::string sqlite_path = "onair.db";
  std::string mariadb_url;
  std::string rabbitmq_url;
  std::size_t blocking_threads = 4;
};

// Owns the backends; destroying it stops the bus and closes connections.
class Backends {
 public:
  Backends(const BackendChoice& choice, boost::asio::any_io_executor executor);
  ~Backends();
  Backends(const Backends&) = delete;
  Backends& operator=(const Backends&) = delete;

  infra::StateStore& state() { return *state_; }
  infra::SqlDatabase& sql() { return *sql_; }
  infra::MessageBus& bus() { return *bus_; }
  infra::DistributedLock& lock() { return *lock_; }
  // Stops the bus (consumers) and waits for blocking work to finish.
  void close();

 private:
  BlockingPool pool_;
  std::unique_ptr<infra::StateStore> state_;
  std::unique_ptr<infra::SqlDatabase> sql_;
  std::unique_ptr<infra::MessageBus> bus_;
  std::unique_ptr<infra::DistributedLock> lock_;
  bool closed_ = false;
};

}  // namespace onair::app
