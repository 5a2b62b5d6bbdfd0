// The models generated from schemas/sample-*.yaml and common-*.yaml: validation
// with exact paths, (de)serialisation, enums, client events.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "core/validation.hpp"
#include "gen/common/models.hpp"
#include "gen/sample/models.hpp"
#include "gen/sample/topics.hpp"

namespace onair::gen::sample {
namespace {
namespace json = boost::json;

// The message of the ValidationError that parsing `text` throws ("" when it parses).
template <class T>
std::string error_of(std::string_view text) {
  try {
    T::from_json(json::parse(text));
  } catch (const ValidationError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(std::string(e.what()), e.path() + ": " + e.rule());
    return e.what();
  }
  return "";
}

TEST(SampleModels, ParsesAFullEchoRequest) {
  auto r =
      SampleEchoRequest::from_json(json::parse(R"({"message":"hi","repeat":3,"tags":["a","b"],"mood":"excited"})"));
  EXPECT_EQ(r.message, "hi");
  EXPECT_EQ(r.repeat, 3);
  ASSERT_TRUE(r.tags.has_value());
  EXPECT_EQ(*r.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.mood, SampleMood::excited);
}

TEST(SampleModels, OptionalFieldsMayBeAbsentOrNull) {
  auto r = SampleEchoRequest::from_json(json::parse(R"({"message":"hi"})"));
  EXPECT_FALSE(r.repeat.has_value());
  EXPECT_FALSE(r.tags.has_value());
  EXPECT_FALSE(r.mood.has_value());
  // null for an optional (or nullable) property means absent.
  auto n = SampleEchoRequest::from_json(json::parse(R"({"message":"hi","repeat":null,"tags":null,"mood":null})"));
  EXPECT_EQ(n, r);
}

TEST(SampleModels, RequiredFieldMissingOrNull) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({})"), "body.message: is required");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":null})"), "body.message: is required");
  EXPECT_EQ(error_of<SampleResetCounterRequest>(R"({"name":"a"})"), "body.requestedBy: is required");
}

TEST(SampleModels, BodyMustBeAnObject) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"([])"), "body: must be an object");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"("hi")"), "body: must be an object");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"(null)"), "body: must be an object");
}

TEST(SampleModels, UnknownFieldIsRejected) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"hi","extra":1})"),
            "body.extra: is not allowed (additionalProperties: false)");
  // Unknown keys are reported before missing ones: a typo names itself.
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"mesage":"hi"})"),
            "body.mesage: is not allowed (additionalProperties: false)");
}

TEST(SampleModels, TypesAreChecked) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":5})"), "body.message: must be a string");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":"3"})"), "body.repeat: must be an integer");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":2.5})"), "body.repeat: must be an integer");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","tags":"a"})"), "body.tags: must be an array");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","tags":["a","b",3]})"), "body.tags[2]: must be a string");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","mood":1})"), "body.mood: must be a string");
}

TEST(SampleModels, IntegersMayBeWrittenAsIntegralDoubles) {
  EXPECT_EQ(SampleEchoRequest::from_json(json::parse(R"({"message":"x","repeat":2.0})")).repeat, 2);
  EXPECT_EQ(SampleEchoRequest::from_json(json::parse(R"({"message":"x","repeat":1e1})")).repeat, 10);
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":18446744073709551615})"),
            "body.repeat: must be an integer");
}

TEST(SampleModels, NumericLimits) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":11})"), "body.repeat: must be at most 10");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":0})"), "body.repeat: must be at least 1");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":1})"), "");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","repeat":10})"), "");
  EXPECT_EQ(error_of<SampleIncrementCounterRequest>(R"({"name":"c","by":1001})"), "body.by: must be at most 1000");
}

TEST(SampleModels, StringLengthCountsCodePoints) {
  const std::string at_limit(200, 'a');
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":")" + at_limit + R"("})"), "");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":")" + at_limit + R"(a"})"),
            "body.message: must be at most 200 characters");
  // 200 two-byte characters (400 bytes) are 200 characters.
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "\xC3\xA4";
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":")" + umlauts + R"("})"), "");
  EXPECT_EQ(error_of<SampleIncrementCounterRequest>(R"({"name":""})"), "body.name: must be at least 1 character");
}

TEST(SampleModels, EnumValuesAreChecked) {
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","mood":"angry"})"),
            "body.mood: must be one of calm, excited");
  EXPECT_EQ(error_of<SampleEchoRequest>(R"({"message":"x","mood":"Calm"})"), "body.mood: must be one of calm, excited");
}

TEST(SampleModels, UuidFormat) {
  EXPECT_EQ(error_of<SampleResetCounterRequest>(R"({"name":"c","requestedBy":"not-a-uuid"})"),
            "body.requestedBy: must be a uuid");
  EXPECT_EQ(error_of<SampleResetCounterRequest>(R"({"name":"c","requestedBy":"3F2B8C1A-0D4E-4F6A-9B8C-7D6E5F4A3B2C"})"),
            "");
  EXPECT_EQ(error_of<SampleResetCounterRequest>(R"({"name":"c","requestedBy":"3f2b8c1a0d4e4f6a9b8c7d6e5f4a3b2c"})"),
            "body.requestedBy: must be a uuid");
}

TEST(SampleModels, DateTimeFormat) {
  EXPECT_EQ(error_of<SampleEchoResponse>(R"({"message":"m","repeat":1,"echoedAt":"2026-11-22T09:03:07.123Z"})"), "");
  EXPECT_EQ(error_of<SampleEchoResponse>(R"({"message":"m","repeat":1,"echoedAt":"2026-11-22T09:03:07+02:00"})"), "");
  EXPECT_EQ(error_of<SampleEchoResponse>(R"({"message":"m","repeat":1,"echoedAt":"yesterday"})"),
            "body.echoedAt: must be an RFC 3339 date-time");
  EXPECT_EQ(error_of<SampleEchoResponse>(R"({"message":"m","repeat":1,"echoedAt":"2026-02-30T00:00:00Z"})"),
            "body.echoedAt: must be an RFC 3339 date-time");
}

TEST(SampleModels, CustomPathPrefixesMessages) {
  try {
    SampleEchoRequest::from_json(json::parse(R"({"message":1})"), "payload");
    FAIL() << "expected a ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_STREQ(e.what(), "payload.message: must be a string");
    EXPECT_EQ(e.path(), "payload.message");
    EXPECT_EQ(e.rule(), "must be a string");
  }
}

TEST(SampleModels, ToJsonOmitsAbsentOptionals) {
  SampleEchoRequest r;
  r.message = "hi";
  EXPECT_EQ(json::serialize(r.to_json()), R"({"message":"hi"})");
  r.repeat = 2;
  r.mood = SampleMood::calm;
  r.tags = std::vector<std::string>{"x"};
  EXPECT_EQ(json::serialize(r.to_json()), R"({"message":"hi","repeat":2,"tags":["x"],"mood":"calm"})");
}

TEST(SampleModels, JsonRoundTrip) {
  SampleEchoRequest r;
  r.message = "round";
  r.repeat = 4;
  r.tags = std::vector<std::string>{};
  r.mood = SampleMood::excited;
  EXPECT_EQ(SampleEchoRequest::from_json(r.to_json()), r);
}

TEST(SampleModels, EnumRoundTrip) {
  for (auto m : {SampleMood::calm, SampleMood::excited}) {
    EXPECT_EQ(parse_sample_mood(to_string(m)), m);
  }
  EXPECT_EQ(to_string(SampleMood::excited), "excited");
  EXPECT_EQ(parse_sample_mood("nope"), std::nullopt);
}

TEST(SampleModels, ClientEventCarriesItsName) {
  static_assert(SampleCounterChangedClientEvent::kEventName == "sample.counter.changed");
  SampleCounterChangedClientEvent e;
  EXPECT_EQ(e.event_name, "sample.counter.changed");  // the schema default initialises the field
  e.event_id = "3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c";
  e.timestamp = "2026-11-22T09:03:07.123Z";
  e.name = "visits";
  e.value = 7;
  const auto j = e.to_json();
  EXPECT_EQ(json::serialize(j),
            R"({"eventName":"sample.counter.changed","eventId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c",)"
            R"("timestamp":"2026-11-22T09:03:07.123Z","name":"visits","value":7})");
  EXPECT_EQ(SampleCounterChangedClientEvent::from_json(j), e);
  // The BaseClientEvent fields merged through allOf are required and validated.
  auto bad = j.as_object();
  bad["eventId"] = "nope";
  EXPECT_EQ(error_of<SampleCounterChangedClientEvent>(json::serialize(bad)), "body.eventId: must be a uuid");
  bad.erase("timestamp");
  bad["eventId"] = e.event_id;
  EXPECT_EQ(error_of<SampleCounterChangedClientEvent>(json::serialize(bad)), "body.timestamp: is required");
}

TEST(SampleModels, TopicsAndClientEventNames) {
  static_assert(kSampleCounterIncremented == "sample.counter.incremented");
  ASSERT_EQ(kPublications.size(), 1u);
  EXPECT_EQ(kPublications[0].topic, "sample.counter.incremented");
  EXPECT_EQ(kPublications[0].event, "SampleCounterIncrementedEvent");
  EXPECT_TRUE(kSubscriptions.empty());
  ASSERT_EQ(kClientEvents.size(), 1u);
  EXPECT_EQ(kClientEvents[0], SampleCounterChangedClientEvent::kEventName);
}

TEST(CommonModels, ErrorResponseAndEmptyResponse) {
  common::ErrorResponse e{404, "room not found", std::nullopt};
  EXPECT_EQ(json::serialize(e.to_json()), R"({"status":404,"error":"room not found"})");
  e.request_id = "r-1";
  EXPECT_EQ(common::ErrorResponse::from_json(e.to_json()), e);
  EXPECT_EQ(json::serialize(common::EmptyResponse{}.to_json()), "{}");
  EXPECT_THROW(common::EmptyResponse::from_json(json::parse(R"({"x":1})")), ValidationError);
}

}  // namespace
}  // namespace onair::gen::sample
