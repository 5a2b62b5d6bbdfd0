// JsonWriter must produce text that a real JSON parser reads back as exactly the value meant,
// whatever the strings hold (it writes voice room records on every join and leave).
#include "core/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
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

// The escape scan takes 8 bytes a step: a byte that needs an escape must be found at every
// offset of a word, next to every kind of neighbour (high bytes, the bytes just above the
// thresholds), in strings of every length around the word size.
TEST(JsonWriter, EscapesAreFoundAtEveryOffset) {
  const std::string specials{'"', '\\', '\0', '\x01', '\x1f', '\n'};
  const std::string neighbours{'a', ' ', '!', '#', '[', ']', '\x7f', '\x80', '\xc3', '\xff'};
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (char special : specials) {
        for (char neighbour : neighbours) {
          std::string sample(length, neighbour);
          sample[at] = special;
          std::string out;
          JsonWriter::append_escaped(out, sample);
          boost::system::error_code ec;
          json::parse_options lenient;
          lenient.allow_invalid_utf8 = true;  // lone high bytes pass through as they are
          const auto parsed = json::parse(out, ec, {}, lenient);
          ASSERT_FALSE(ec) << "length " << length << " at " << at << ": " << out;
          ASSERT_EQ(parsed.as_string(), sample) << "length " << length << " at " << at;
        }
      }
    }
  }
  // And plain strings of every length come out as they went in, quoted.
  for (std::size_t length = 0; length <= 24; ++length) {
    const std::string plain(length, 'x');
    std::string out;
    JsonWriter::append_escaped(out, plain);
    EXPECT_EQ(out, "\"" + plain + "\"");
  }
}

TEST(JsonWriter, DoublesReadBackExactlyAndNonFiniteIsNull) {
  const std::vector<double> samples{0.0, -0.0, 1.5, -2.25, 0.1, 1e-300, 1.7976931348623157e308, 123456789.125, 1.0 / 3};
  for (double d : samples) {
    JsonWriter w;
    w.begin_array().value(d).end_array();
    EXPECT_EQ(json::parse(w.text()).as_array()[0].to_number<double>(), d) << w.text();
  }
  JsonWriter w;
  w.begin_array().value(std::numeric_limits<double>::quiet_NaN()).value(std::numeric_limits<double>::infinity());
  w.end_array();
  EXPECT_EQ(w.text(), "[null,null]");
}

TEST(JsonWriter, PlainKeysAndRawValues) {
  JsonWriter w;
  w.begin_object().plain_key("a").raw(R"({"x":[1,2]})").plain_key("b").value(1).end_object();
  EXPECT_EQ(w.text(), R"({"a":{"x":[1,2]},"b":1})");
}

}  // namespace
}  // namespace onair
