#pragma once
// SQL records of the link upkeep (migration component "stream_upkeep", apart from "stream" so its
// versions never collide with the link and session tables'): the platform subscriptions onair made for
// each link (Twitch EventSub subscription ids, WebSub topics and lease ends) and when each Twitch token
// was last validated. Nothing secret: no token, no hub.secret (derived, never stored), no audience data.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "infra/sql_database.hpp"

namespace onair::stream {

struct SubscriptionRecord {
  std::string link_id;
  std::string kind;                        // Twitch: the EventSub type; YouTube: "websub"
  std::string platform;                    // "twitch" / "youtube"
  std::optional<std::string> external_id;  // Twitch subscription id
  std::optional<std::string> topic;        // WebSub topic URL
  std::string status;                      // Twitch: as last seen; WebSub: requested / failed
  std::int64_t expires_ms = 0;             // WebSub lease end (0: none)
  std::int64_t updated_ms = 0;
};

class UpkeepStore {
 public:
  explicit UpkeepStore(infra::SqlDatabase& sql) : sql_(sql) {}
  Task<void> migrate();

  // Inserts or replaces the record of (link, kind).
  Task<void> put(const SubscriptionRecord& r);
  Task<std::vector<SubscriptionRecord>> of_link(const std::string& link_id);
  Task<std::vector<SubscriptionRecord>> of_platform(const std::string& platform);
  Task<void> remove(const std::string& link_id, const std::string& kind);
  // Every record of the link, and its validation time.
  Task<void> forget_link(const std::string& link_id);

  Task<void> set_validated(const std::string& link_id, std::int64_t at_ms);
  Task<std::map<std::string, std::int64_t>> validated_times();

 private:
  Task<std::vector<SubscriptionRecord>> select(std::string where, std::vector<infra::SqlValue> params);
  infra::SqlDatabase& sql_;
};

}  // namespace onair::stream
