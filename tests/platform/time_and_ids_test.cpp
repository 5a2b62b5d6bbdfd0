#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

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

namespace onair {
namespace {

// The byte-at-a-time definition is_uuid must agree with (it checks 16 digits at a time).
bool is_uuid_reference(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = t[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

TEST(Uuids, EveryByteAtEveryPositionIsJudgedAsTheDefinitionSays) {
  const std::string base = "3f2B8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c";
  ASSERT_TRUE(is_uuid(base));
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (int c = 0; c < 256; ++c) {
      std::string t = base;
      t[at] = static_cast<char>(c);
      ASSERT_EQ(is_uuid(t), is_uuid_reference(t)) << "byte " << c << " at " << at;
    }
  }
  EXPECT_FALSE(is_uuid(base.substr(1)));
  EXPECT_FALSE(is_uuid(base + "0"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_TRUE(is_uuid(new_uuid()));
}

}  // namespace
}  // namespace onair
