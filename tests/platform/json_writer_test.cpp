// JsonWriter must produce text that a real JSON parser reads back as exactly the value meant,
// whatever the strings hold (it writes voice room records on every join and leave).
#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <vector>

namespace onair {
namespace {
namespace json = boost::json;

TEST(JsonWriter, NestedValuesReadBackExactly) {
  const std::vector<std::string> list{"a", "", "b c"};
  const std::set<std::string> sorted{"y", "x"};
  JsonWriter w;
  w.begin_object();
  w.key("s").value("text");
  w.key("n").value(std::int64_t{-9007199254740993});
  w.key("i").value(42);
  w.key("t").value(true);
  w.key("f").value(false);
  w.key("z").null();
  w.key("list").strings(list);
  w.key("set").strings(sorted);
  w.key("empty").begin_array().end_array();
  w.key("obj").begin_object().end_object();
  w.key("nested").begin_array().begin_object().key("k").value(1).end_object().value("after").end_array();
  w.end_object();

  const json::value expected = json::parse(R"({"s":"text","n":-9007199254740993,"i":42,"t":true,"f":false,
    "z":null,"list":["a","","b c"],"set":["x","y"],"empty":[],"obj":{},"nested":[{"k":1},"after"]})");
  EXPECT_EQ(json::parse(w.text()), expected);
}

TEST(JsonWriter, EveryAwkwardStringRoundTrips) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  const std::vector<std::string> samples{
      "",           "plain",    "quote \" inside",      "back\\slash", "\\\"",   "new\nline\r\t",
      all_controls, "\x7f del", "ünïcødé ✓ 🎙", "</script>",   "\"\"\"",
  };
  for (const auto& sample : samples) {
    JsonWriter w;
    w.begin_object().key(sample).value(sample).end_object();
    const auto parsed = json::parse(w.text());
    ASSERT_TRUE(parsed.is_object()) << w.text();
    const auto* value = parsed.as_object().if_contains(sample);
    ASSERT_NE(value, nullptr) << w.text();
    EXPECT_EQ(value->as_string(), sample) << w.text();
  }
}

TEST(JsonWriter, TopLevelArrayAndTake) {
  JsonWriter w;
  w.begin_array().value(1).value("two").value(false).end_array();
  EXPECT_EQ(w.take(), R"([1,"two",false])");
}

}  // namespace
}  // namespace onair
