#include "app/backends.hpp"

#include "infra/inprocess_bus.hpp"
#include "infra/maria_database.hpp"
#include "infra/memory_lock.hpp"
#include "infra/memory_state_store.hpp"
#include "infra/rabbit_bus.hpp"
#include "infra/redis_lock.hpp"
#include "infra/redis_state_store.hpp"
#include "infra/sqlite_database.hpp"

namespace onair::app {

Backends::Backends(const BackendChoice& choice, boost::asio::any_io_executor executor)
    : pool_(choice.blocking_threads) {
  if (choice.state == "redis") {
    state_ = std::make_unique<infra::RedisStateStore>(choice.redis_url, pool_, "onair:");
  } else {
    state_ = std::make_unique<infra::MemoryStateStore>();
  }
  if (choice.sql == "mariadb") {
    sql_ = std::make_unique<infra::MariaDatabase>(choice.mariadb_url, pool_);
  } else {
    sql_ = std::make_unique<infra::SqliteDatabase>(choice.sqlite_path, pool_);
  }
  if (choice.bus == "rabbitmq") {
    bus_ = std::make_unique<infra::RabbitBus>(choice.rabbitmq_url, executor);
  } else {
    bus_ = std::make_unique<infra::InProcessBus>(executor);
  }
  if (choice.lock == "redis") {
    lock_ = std::make_unique<infra::RedisLock>(choice.redis_url, pool_, "onair:lock:");
  } else {
    lock_ = std::make_unique<infra::MemoryLock>();
  }
}

void Backends::close() {
  if (closed_) return;
  closed_ = true;
  bus_->stop();
  pool_.join();
}

Backends::~Backends() { close(); }

}  // namespace onair::app
