#include "platform/permissions.hpp"

#include <gtest/gtest.h>

namespace onair::platform {
namespace {

RouteSpec route(std::vector<PermissionRule> rules) { return RouteSpec{"voice", "/voice/x", "x", std::move(rules)}; }

TEST(Permissions, RolesAreRanked) {
  auto r = route({{"developer", {}}});
  EXPECT_FALSE(check_permission(r, {"user"}, {}).allowed);
  EXPECT_TRUE(check_permission(r, {"developer"}, {}).allowed);
  EXPECT_TRUE(check_permission(r, {"admin"}, {}).allowed);
  EXPECT_TRUE(check_permission(r, {"user", "admin"}, {}).allowed);
  EXPECT_FALSE(check_permission(r, {}, {}).allowed);
}

TEST(Permissions, ServiceInternalOnlyForServiceRole) {
  auto r = route({});
  EXPECT_FALSE(check_permission(r, {"admin"}, {}).allowed);
  EXPECT_FALSE(check_permission(r, {"user", "developer"}, {}).allowed);
  EXPECT_TRUE(check_permission(r, {"service"}, {}).allowed);
  EXPECT_NE(check_permission(r, {"admin"}, {}).reason.find("service-internal"), std::string::npos);
}

TEST(Permissions, EveryStateOfARuleMustBeHeld) {
  auto r = route({{"user", {{"voice", "in_room"}, {"game", "playing"}}}});
  EXPECT_FALSE(check_permission(r, {"user"}, {}).allowed);
  EXPECT_FALSE(check_permission(r, {"user"}, {{"voice", {"in_room"}}}).allowed);
  EXPECT_FALSE(check_permission(r, {"user"}, {{"voice", {"ringing"}}, {"game", {"playing"}}}).allowed);
  EXPECT_TRUE(check_permission(r, {"user"}, {{"voice", {"in_room"}}, {"game", {"playing"}}}).allowed);
  // A higher role still needs the states.
  EXPECT_FALSE(check_permission(r, {"admin"}, {}).allowed);
  auto denied = check_permission(r, {"user"}, {{"voice", {"in_room"}}});
  EXPECT_NE(denied.reason.find("game: playing"), std::string::npos) << denied.reason;
}

TEST(Permissions, AnyMatchingRuleAllows) {
  auto r = route({{"user", {{"voice", "in_room"}}}, {"admin", {}}});
  EXPECT_TRUE(check_permission(r, {"admin"}, {}).allowed);
  EXPECT_TRUE(check_permission(r, {"user"}, {{"voice", {"in_room"}}}).allowed);
  EXPECT_FALSE(check_permission(r, {"developer"}, {}).allowed);
  EXPECT_TRUE(needs_session_states(r));
  EXPECT_FALSE(needs_session_states(route({{"user", {}}})));
}

}  // namespace
}  // namespace onair::platform
