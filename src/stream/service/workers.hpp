#pragma once
// The stream service's background workers (seed 000 "Background Services"), timers on the
// service executor; run_once() is one round, for tests.
//   SentimentBatchPublisher  every STREAM_SENTIMENT_PULSE_INTERVAL_SECONDS: a pulse per active
//                            session held on this node with at least the min batch.
//   SessionCleanupWorker     every STREAM_SESSION_CLEANUP_INTERVAL_SECONDS: deletes ended
//                            session records older than STREAM_SESSION_HISTORY_RETENTION_HOURS.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/task.hpp"
#include "platform/periodic_task.hpp"
#include "platform/service.hpp"

namespace onair::stream {

class StreamService;

// A round every `interval` on platform::PeriodicTask, until stop(). Errors of a round are logged and
// the next round runs.
class PeriodicWorker {
 public:
  PeriodicWorker(platform::ServiceContext& context, std::string name, std::chrono::seconds interval);
  virtual ~PeriodicWorker() = default;
  void start();
  void stop() { clock_.stop(); }

 protected:
  virtual Task<void> round() = 0;

 private:
  std::chrono::seconds interval_;
  platform::PeriodicTask clock_;
};

class SentimentBatchPublisher final : public PeriodicWorker {
 public:
  SentimentBatchPublisher(platform::ServiceContext& context, StreamService& service);
  ~SentimentBatchPublisher() override { stop(); }
  // Returns the pulses published.
  Task<std::size_t> run_once();

 protected:
  Task<void> round() override;

 private:
  StreamService& service_;
};

class SessionCleanupWorker final : public PeriodicWorker {
 public:
  SessionCleanupWorker(platform::ServiceContext& context, StreamService& service);
  ~SessionCleanupWorker() override { stop(); }
  // Returns the records purged.
  Task<std::int64_t> run_once();

 protected:
  Task<void> round() override;

 private:
  StreamService& service_;
};

}  // namespace onair::stream
