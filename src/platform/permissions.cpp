#include "platform/permissions.hpp"

#include <algorithm>

namespace onair::platform {
namespace {

int rank(const std::string& role) {
  if (role == "user") return 1;
  if (role == "developer") return 2;
  if (role == "admin") return 3;
  return 0;
}

bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

bool role_satisfies(const std::vector<std::string>& caller_roles, const std::string& required_role) {
  if (has_role(caller_roles, "service")) return true;
  const int needed = rank(required_role);
  if (needed == 0) return has_role(caller_roles, required_role);
  return std::any_of(caller_roles.begin(), caller_roles.end(), [&](const auto& r) { return rank(r) >= needed; });
}

bool needs_session_states(const RouteSpec& route) {
  return std::any_of(route.permissions.begin(), route.permissions.end(),
                     [](const PermissionRule& rule) { return !rule.states.empty(); });
}

PermissionDecision check_permission(const RouteSpec& route, const std::vector<std::string>& caller_roles,
                                    const SessionStateMap& states) {
  if (route.permissions.empty()) {
    if (has_role(caller_roles, "service")) return {true, {}};
    return {false, route.path + " is service-internal"};
  }
  if (has_role(caller_roles, "service")) return {true, {}};
  std::string missing;
  bool role_matched = false;
  for (const auto& rule : route.permissions) {
    if (!role_satisfies(caller_roles, rule.role)) continue;
    role_matched = true;
    bool all_states = true;
    for (const auto& [service, state] : rule.states) {
      auto it = states.find(service);
      if (it == states.end() || !it->second.contains(state)) {
        all_states = false;
        if (missing.empty()) missing = service + ": " + state;
      }
    }
    if (all_states) return {true, {}};
  }
  if (!role_matched) return {false, "your roles may not call " + route.path};
  return {false, route.path + " requires session state " + missing};
}

}  // namespace onair::platform
