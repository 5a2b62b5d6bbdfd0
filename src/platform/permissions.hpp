#pragma once
// Decides whether a caller may use an endpoint, from its x-permissions, the
// caller's roles and its session states. Pure logic.
//
// Roles are ranked user < developer < admin: a higher role may do what a
// lower one may. `service` (service-to-service) may call everything, and is
// the only role that may call service-internal endpoints (x-permissions: []).
// A rule's states must all be held by the caller's session, whatever the role.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "platform/route_table.hpp"

namespace onair::platform {

// service -> the states the session holds for it (a session may be, say,
// both `voice: in_room` and `voice: ringing`).
using SessionStateMap = std::map<std::string, std::set<std::string, std::less<>>, std::less<>>;

struct PermissionDecision {
  bool allowed = false;
  std::string reason;  // why not, for the 403 message
};

bool role_satisfies(const std::vector<std::string>& caller_roles, const std::string& required_role);
// True when some rule of the route names a session state (so the caller's
// states must be loaded before deciding).
bool needs_session_states(const RouteSpec& route);
PermissionDecision check_permission(const RouteSpec& route, const std::vector<std::string>& caller_roles,
                                    const SessionStateMap& states);

}  // namespace onair::platform
