#pragma once
// CareerProgressionWorker (SHOWTIME.md): every
// SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS, under the singleton lock
// `showtime:lock:career-worker`, applies the career contribution of ended
// sessions not applied yet (growth, phase changes, milestones; normally the
// showtime.session.ended handler does it at once, the worker catches what a
// node that went away left) and publishes due growth events. run_once() is
// one round, for tests.
#include "core/task.hpp"
#include "platform/periodic_task.hpp"
#include "platform/service.hpp"

namespace onair::showtime {

class ShowtimeService;

class CareerProgressionWorker {
 public:
  static constexpr const char* kLockName = "showtime:lock:career-worker";

  CareerProgressionWorker(platform::ServiceContext& context, ShowtimeService& service);
  ~CareerProgressionWorker();
  void start();
  void stop();
  // One round if this node gets the lock; returns whether it ran.
  Task<bool> run_once();

 private:
  platform::ServiceContext& context_;
  ShowtimeService& service_;
  platform::PeriodicTask clock_;
};

}  // namespace onair::showtime
