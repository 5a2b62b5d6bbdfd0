#include "stream/service/twitch_eventsub_plan.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace onair::stream {
namespace json = boost::json;

namespace {

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool same_spec(const EventSubSpec& spec, const EventSubSubscription& s) {
  return spec.type == s.type && spec.version == s.version && spec.condition == s.condition;
}

}  // namespace

std::vector<EventSubSpec> twitch_subscriptions_for(const std::string& b) {
  return {
      {"stream.online", "1", {{"broadcaster_user_id", b}}},
      {"stream.offline", "1", {{"broadcaster_user_id", b}}},
      {"channel.chat.message", "1", {{"broadcaster_user_id", b}, {"user_id", b}}},
      {"channel.subscribe", "1", {{"broadcaster_user_id", b}}},
      {"channel.subscription.message", "1", {{"broadcaster_user_id", b}}},
      {"channel.cheer", "1", {{"broadcaster_user_id", b}}},
      {"channel.raid", "1", {{"to_broadcaster_user_id", b}}},
      {"channel.follow", "2", {{"broadcaster_user_id", b}, {"moderator_user_id", b}}},
  };
}

std::optional<EventSubPage> parse_eventsub_page(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* data = v.as_object().if_contains("data");
  if (!data || !data->is_array()) return std::nullopt;
  EventSubPage page;
  for (const auto& item : data->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    EventSubSubscription s;
    s.id = string_at(o, "id");
    s.type = string_at(o, "type");
    s.version = string_at(o, "version");
    s.status = string_at(o, "status");
    if (const auto* t = o.if_contains("transport"); t && t->is_object())
      s.callback = string_at(t->as_object(), "callback");
    if (const auto* c = o.if_contains("condition"); c && c->is_object()) {
      for (const auto& [k, value] : c->as_object()) {
        // Twitch lists every condition field of the type, the unused ones as "" (raid: from_... = "").
        if (value.is_string() && !value.as_string().empty())
          s.condition[std::string(k)] = std::string(value.as_string());
      }
    }
    if (!s.id.empty()) page.data.push_back(std::move(s));
  }
  if (const auto* p = v.as_object().if_contains("pagination"); p && p->is_object()) {
    auto cursor = string_at(p->as_object(), "cursor");
    if (!cursor.empty()) page.cursor = std::move(cursor);
  }
  return page;
}

std::string eventsub_create_body(const EventSubSpec& spec, const std::string& callback, const std::string& secret) {
  json::object condition;
  for (const auto& [k, v] : spec.condition) condition[k] = v;
  json::object transport{{"method", "webhook"}, {"callback", callback}, {"secret", secret}};
  json::object body{{"type", spec.type},
                    {"version", spec.version},
                    {"condition", std::move(condition)},
                    {"transport", std::move(transport)}};
  return json::serialize(body);
}

std::string broadcaster_of(const EventSubSubscription& s) {
  if (auto it = s.condition.find("broadcaster_user_id"); it != s.condition.end()) return it->second;
  if (auto it = s.condition.find("to_broadcaster_user_id"); it != s.condition.end()) return it->second;
  return {};
}

bool eventsub_healthy(std::string_view status) {
  return status == "enabled" || status == "webhook_callback_verification_pending";
}

bool eventsub_authorization_lost(std::string_view status) {
  return status == "authorization_revoked" || status == "user_removed";
}

EventSubPlan plan_eventsub(const std::string& broadcaster_id, const std::vector<EventSubSubscription>& existing) {
  EventSubPlan plan;
  for (const auto& s : existing) {
    if (eventsub_authorization_lost(s.status)) plan.authorization_lost = true;
  }
  if (plan.authorization_lost) {
    for (const auto& s : existing) plan.remove.push_back(s.id);
    return plan;
  }
  std::vector<bool> used(existing.size(), false);
  for (const auto& spec : twitch_subscriptions_for(broadcaster_id)) {
    bool have = false;
    for (std::size_t i = 0; i < existing.size(); ++i) {
      if (used[i] || !same_spec(spec, existing[i])) continue;
      used[i] = true;
      if (eventsub_healthy(existing[i].status) && !have) {
        have = true;
        plan.kept.push_back(existing[i]);
      } else {
        plan.remove.push_back(existing[i].id);  // failed / revoked for another reason, or a duplicate
      }
    }
    if (!have) plan.create.push_back(spec);
  }
  for (std::size_t i = 0; i < existing.size(); ++i) {
    if (!used[i]) plan.remove.push_back(existing[i].id);
  }
  return plan;
}

}  // namespace onair::stream
