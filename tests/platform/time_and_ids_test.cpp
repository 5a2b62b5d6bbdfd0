#include <gtest/gtest.h>

#include <set>

#include "core/ids.hpp"
#include "core/time.hpp"

namespace onair {
namespace {

using std::chrono::milliseconds;

SystemTime at_ms(std::int64_t ms) { return SystemTime{milliseconds(ms)}; }

TEST(Rfc3339, FormatsKnownInstants) {
  EXPECT_EQ(format_rfc3339(at_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(at_ms(1'709'164'800'123)), "2024-02-29T00:00:00.123Z");  // leap day
  EXPECT_EQ(format_rfc3339(at_ms(1'798'761'599'999)), "2026-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(at_ms(-1)), "1969-12-31T23:59:59.999Z");  // before the epoch rounds down
}

TEST(Rfc3339, FormatThenParseIsIdentityAtMillisecondPrecision) {
  for (std::int64_t ms = -86'400'000LL * 400; ms < 86'400'000LL * 366 * 80; ms += 86'400'000LL * 37 + 3'723'456) {
    const auto text = format_rfc3339(at_ms(ms));
    const auto back = parse_rfc3339(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(std::chrono::duration_cast<milliseconds>(back->time_since_epoch()).count(), ms) << text;
  }
}

TEST(RequestIds, AreDistinctPlainAndShort) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_request_id();
    EXPECT_GE(id.size(), 16u);
    EXPECT_LE(id.size(), 64u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
}

}  // namespace
}  // namespace onair
