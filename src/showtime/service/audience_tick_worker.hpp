#pragma once
// AudienceTickWorker (SHOWTIME.md): every SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS,
// one tick of every live session this node holds. A session is held through its
// distributed lock `showtime:session:<id>` (extended every tick), so two nodes
// never tick one session; a session whose node went away is taken over from
// its checkpoint once the lock expired. run_once() is one round, for tests.
#include <string>
#include <vector>

#include "core/task.hpp"
#include "platform/periodic_task.hpp"
#include "platform/service.hpp"

namespace onair::showtime {

class ShowtimeService;

class AudienceTickWorker {
 public:
  AudienceTickWorker(platform::ServiceContext& context, ShowtimeService& service);
  ~AudienceTickWorker();
  void start();
  void stop();
  // One round; returns the sessions this node ticked.
  Task<std::vector<std::string>> run_once();

 private:
  platform::ServiceContext& context_;
  ShowtimeService& service_;
  platform::PeriodicTask clock_;
};

}  // namespace onair::showtime
