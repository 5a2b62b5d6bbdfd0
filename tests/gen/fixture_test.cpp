// The generator over tests/gen/fixtures: every validation rule, cross-file
// allOf/$ref merging, inline types, enum names, cross-service refs, topic
// constants, optional request bodies, configuration of every type, and the
// OpenAPI merge with a name clash.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <type_traits>

#include "core/config_support.hpp"
#include "core/validation.hpp"
#include "gen/alpha/models.hpp"
#include "gen/alpha/routes.hpp"
#include "gen/alpha/topics.hpp"
#include "gen/beta/configuration.hpp"
#include "gen/beta/routes.hpp"
#include "gen/openapi.hpp"
#include "support/run_task.hpp"

namespace onair::gen::alpha {
namespace {
namespace json = boost::json;

constexpr const char* kUuid = "3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c";

// A valid Everything with `extra` members merged in (a null value removes the key).
std::string everything(std::string_view extra = "") {
  auto base = json::parse(R"({"id":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","at":"2026-01-02T03:04:05Z",)"
                          R"("name":"abc","nullableRequired":null})")
                  .as_object();
  if (!extra.empty()) {
    const auto changes = json::parse(extra);
    for (const auto& [k, v] : changes.as_object()) {
      if (v.is_null() && std::string_view(k) != "nullableRequired") {
        base.erase(k);
      } else {
        base[k] = v;
      }
    }
  }
  return json::serialize(base);
}

template <class T>
std::string error_of(const std::string& text) {
  try {
    T::from_json(json::parse(text));
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "";
}

std::string everything_error(std::string_view extra) { return error_of<Everything>(everything(extra)); }

TEST(FixtureModels, MinimalEverythingParses) {
  const auto e = Everything::from_json(json::parse(everything()));
  EXPECT_EQ(e.id, kUuid);
  EXPECT_EQ(e.name, "abc");
  EXPECT_FALSE(e.nullable_required.has_value());
  EXPECT_EQ(e.with_default, 7);  // not required, has a default: a plain field with that value
  static_assert(std::is_same_v<decltype(e.with_default), std::int64_t>);
  static_assert(std::is_same_v<decltype(e.class_), std::optional<std::string>>);  // keyword -> class_
}

TEST(FixtureModels, RequiredAndNullable) {
  EXPECT_EQ(everything_error(R"({"id":null})"), "body.id: is required");
  // Required but nullable: must be present, may be null.
  auto body = json::parse(everything()).as_object();
  body.erase("nullableRequired");
  EXPECT_EQ(error_of<Everything>(json::serialize(body)), "body.nullableRequired: is required");
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"nullableRequired":"x"})"))).nullable_required, "x");
}

TEST(FixtureModels, Formats) {
  EXPECT_EQ(everything_error(R"({"id":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2"})"), "body.id: must be a uuid");
  EXPECT_EQ(everything_error(R"({"id":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2g"})"), "body.id: must be a uuid");
  EXPECT_EQ(everything_error(R"({"at":"2026-01-02 03:04:05Z"})"), "body.at: must be an RFC 3339 date-time");
  EXPECT_EQ(everything_error(R"({"at":"2026-01-02T03:04:05"})"), "body.at: must be an RFC 3339 date-time");
  EXPECT_EQ(everything_error(R"({"day":"2026-02-28"})"), "");
  EXPECT_EQ(everything_error(R"({"day":"2026-02-30"})"), "body.day: must be an RFC 3339 date");
  EXPECT_EQ(everything_error(R"({"link":"https://example.com/a?b=c"})"), "");
  EXPECT_EQ(everything_error(R"({"link":"not a uri"})"), "body.link: must be an absolute URI");
  EXPECT_EQ(everything_error(R"({"link":"/relative"})"), "body.link: must be an absolute URI");
}

TEST(FixtureModels, StringLengthAndPattern) {
  EXPECT_EQ(everything_error(R"({"name":"a"})"), "body.name: must be at least 2 characters");
  EXPECT_EQ(everything_error(R"({"name":"abcdef"})"), "body.name: must be at most 5 characters");
  EXPECT_EQ(everything_error(R"({"name":"\u00e4\u00f6\u00fc\u00e4\u00f6"})"), "");  // 5 code points, 10 bytes
  // `code` refs an alias component (a constrained string): its rules apply inline.
  EXPECT_EQ(everything_error(R"({"code":"ABC"})"), "");
  EXPECT_EQ(everything_error(R"({"code":"abc"})"), "body.code: must match pattern ^[A-Z]{3}$");
}

TEST(FixtureModels, IntegerRules) {
  EXPECT_EQ(everything_error(R"({"count":0})"), "");
  EXPECT_EQ(everything_error(R"({"count":100})"), "");
  EXPECT_EQ(everything_error(R"({"count":-1})"), "body.count: must be at least 0");
  EXPECT_EQ(everything_error(R"({"count":101})"), "body.count: must be at most 100");
  EXPECT_EQ(everything_error(R"({"count":true})"), "body.count: must be an integer");
  EXPECT_EQ(everything_error(R"({"count":1.5})"), "body.count: must be an integer");
  // format int32 bounds the value even without minimum/maximum.
  EXPECT_EQ(everything_error(R"({"small":2147483647})"), "");
  EXPECT_EQ(everything_error(R"({"small":2147483648})"), "body.small: must be at most 2147483647");
  EXPECT_EQ(everything_error(R"({"small":-2147483649})"), "body.small: must be at least -2147483648");
}

TEST(FixtureModels, NumberRules) {
  EXPECT_EQ(everything_error(R"({"ratio":0.5})"), "");
  EXPECT_EQ(everything_error(R"({"ratio":0})"), "body.ratio: must be greater than 0");
  EXPECT_EQ(everything_error(R"({"ratio":1})"), "body.ratio: must be less than 1");
  EXPECT_EQ(everything_error(R"({"ratio":"0.5"})"), "body.ratio: must be a number");
  EXPECT_EQ(everything_error(R"({"score":-1.5})"), "");
  EXPECT_EQ(everything_error(R"({"score":-1.6})"), "body.score: must be at least -1.5");
  EXPECT_EQ(everything_error(R"({"score":3})"), "body.score: must be at most 2.5");
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"score":2})"))).score, 2.0);
}

TEST(FixtureModels, BooleanRule) {
  EXPECT_EQ(everything_error(R"({"flag":"true"})"), "body.flag: must be a boolean");
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"flag":false})"))).flag, false);
}

TEST(FixtureModels, ArrayRules) {
  EXPECT_EQ(everything_error(R"({"numbers":[]})"), "body.numbers: must have at least 1 item");
  EXPECT_EQ(everything_error(R"({"numbers":[1,2,3,4]})"), "body.numbers: must have at most 3 items");
  EXPECT_EQ(everything_error(R"({"numbers":[1,-2]})"), "body.numbers[1]: must be at least 0");
  EXPECT_EQ(everything_error(R"({"matrix":[["a"],["b",1]]})"), "body.matrix[1][1]: must be a string");
  EXPECT_EQ(everything_error(R"({"matrix":[["a"],"b"]})"), "body.matrix[1]: must be an array");
  EXPECT_EQ(everything_error(R"({"children":[{"key":"a"},{}]})"), "body.children[1].key: is required");
  EXPECT_EQ(everything_error(R"({"children":[{"key":"a","x":1}]})"),
            "body.children[0].x: is not allowed (additionalProperties: false)");
}

TEST(FixtureModels, MapsObjectsAndAnyValues) {
  const auto e = Everything::from_json(
      json::parse(everything(R"({"labels":{"a":1,"b":2},"extra":{"free":[1,"x"]},"anything":[true]})")));
  EXPECT_EQ(e.labels, (std::map<std::string, std::int64_t>{{"a", 1}, {"b", 2}}));
  ASSERT_TRUE(e.extra.has_value());
  EXPECT_EQ(json::serialize(*e.extra), R"({"free":[1,"x"]})");
  EXPECT_EQ(json::serialize(*e.anything), "[true]");
  EXPECT_EQ(everything_error(R"({"labels":{"a":"one"}})"), "body.labels.a: must be an integer");
  EXPECT_EQ(everything_error(R"({"labels":[]})"), "body.labels: must be an object");
  EXPECT_EQ(everything_error(R"({"extra":"x"})"), "body.extra: must be an object");
}

TEST(FixtureModels, EnumsNamedAndInline) {
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"status":"in-progress"})"))).status,
            AlphaStatus::in_progress);
  EXPECT_EQ(everything_error(R"({"status":"in_progress"})"),
            "body.status: must be one of in-progress, done, delete, 2fa, P2P, consent_revoked");
  // Inline enum on a property -> enum class <Struct><Prop>.
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"phase":"stop"})"))).phase, EverythingPhase::stop);
  EXPECT_EQ(everything_error(R"({"phase":"go"})"), "body.phase: must be one of start, stop");
  // allOf [$ref] + nullable: an optional of the referenced enum.
  static_assert(std::is_same_v<decltype(Everything::maybe), std::optional<AlphaStatus>>);
  EXPECT_EQ(Everything::from_json(json::parse(everything(R"({"maybe":"2fa"})"))).maybe, AlphaStatus::v2fa);
}

TEST(FixtureModels, EnumIdentifiersAndRoundTrip) {
  const std::pair<AlphaStatus, std::string_view> cases[] = {
      {AlphaStatus::in_progress, "in-progress"},
      {AlphaStatus::done, "done"},
      {AlphaStatus::delete_, "delete"},
      {AlphaStatus::v2fa, "2fa"},
      {AlphaStatus::P2P, "P2P"},
      {AlphaStatus::consent_revoked, "consent_revoked"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(to_string(value), text);
    EXPECT_EQ(parse_alpha_status(text), value);
  }
  EXPECT_EQ(parse_alpha_status("p2p"), std::nullopt);
}

TEST(FixtureModels, NestedInlineObject) {
  const auto e = Everything::from_json(json::parse(everything(R"({"inner":{"x":3}})")));
  ASSERT_TRUE(e.inner.has_value());
  EXPECT_EQ(e.inner->x, 3);
  static_assert(std::is_same_v<decltype(Everything::inner), std::optional<EverythingInner>>);
  EXPECT_EQ(everything_error(R"({"inner":{"y":"a"}})"), "body.inner.x: is required");
  EXPECT_EQ(everything_error(R"({"inner":{"x":1,"z":2}})"),
            "body.inner.z: is not allowed (additionalProperties: false)");
}

TEST(FixtureModels, FullRoundTrip) {
  const auto text = everything(
      R"({"day":"2026-02-28","link":"https://x.y","code":"XYZ","count":5,"small":-3,"ratio":0.25,"score":-1.25,)"
      R"("flag":true,"numbers":[0,1],"matrix":[[],["q"]],"labels":{"k":9},"extra":{"e":null},"anything":"v",)"
      R"("status":"P2P","phase":"start","inner":{"x":1,"y":"why"},"children":[{"key":"c"}],"maybe":"done",)"
      R"("nullableRequired":"nr","withDefault":8,"class":"c"})");
  const auto e = Everything::from_json(json::parse(text));
  EXPECT_EQ(e.class_, "c");
  EXPECT_EQ(e.with_default, 8);
  EXPECT_EQ(Everything::from_json(e.to_json()), e);
  EXPECT_EQ(json::parse(json::serialize(e.to_json())), json::parse(text));
  // write_json writes the same JSON without building a value first.
  EXPECT_EQ(json::parse(e.to_json_text()), e.to_json());
}

TEST(FixtureModels, ToJsonOmitsAbsentOptionalsButKeepsDefaults) {
  Everything e;
  e.id = kUuid;
  // A required nullable field is written as null; a field with a default always appears.
  EXPECT_EQ(json::serialize(e.to_json()), R"({"id":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","at":"","name":"",)"
                                          R"("nullableRequired":null,"withDefault":7})");
  EXPECT_EQ(json::parse(e.to_json_text()), e.to_json());
}

TEST(FixtureModels, AllOfChainMergesBaseFirst) {
  // Leaf = allOf[Middle = allOf[Base] + level, inline part with extraField] + own props; `note` is
  // redefined by Leaf (maxLength 3) but keeps Base's position.
  Leaf leaf;
  leaf.base_id = kUuid;
  leaf.note = "abc";
  leaf.level = 2;
  leaf.extra_field = "x";
  leaf.leaf_only = true;
  EXPECT_EQ(
      json::serialize(leaf.to_json()),
      R"({"baseId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","note":"abc","level":2,"extraField":"x","leafOnly":true})");
  EXPECT_EQ(Leaf::from_json(leaf.to_json()), leaf);
  EXPECT_EQ(json::parse(leaf.to_json_text()), leaf.to_json());
  EXPECT_EQ(error_of<Leaf>(R"({"baseId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","level":1})"),
            "body.extraField: is required");
  EXPECT_EQ(error_of<Leaf>(R"({"level":1,"extraField":"x"})"), "body.baseId: is required");
  EXPECT_EQ(error_of<Leaf>(R"({"baseId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","level":1,"extraField":"x",)"
                           R"("note":"long"})"),
            "body.note: must be at most 3 characters");
  EXPECT_EQ(error_of<Middle>(R"({"baseId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","level":1,"extraField":"x"})"),
            "body.extraField: is not allowed (additionalProperties: false)");
}

TEST(FixtureModels, OpenObjectAcceptsUnknownKeys) {
  const auto o = Open::from_json(json::parse(R"({"known":"k","unknown":1})"));
  EXPECT_EQ(o.known, "k");
  EXPECT_EQ(json::serialize(o.to_json()), R"({"known":"k"})");
}

TEST(FixtureModels, ClientEventWithCrossFileAndCrossServiceRefs) {
  static_assert(AlphaPingClientEvent::kEventName == "alpha.ping");
  static_assert(std::is_same_v<decltype(AlphaPingClientEvent::shared), beta::Shared>);
  static_assert(std::is_same_v<decltype(AlphaPingClientEvent::status), std::optional<AlphaStatus>>);
  AlphaPingClientEvent e;
  EXPECT_EQ(e.event_name, "alpha.ping");
  EXPECT_EQ(e.tier, beta::BetaTier::scaled);  // enum default from the schema
  const auto parsed = AlphaPingClientEvent::from_json(json::parse(
      R"({"eventName":"alpha.ping","eventId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c","timestamp":"2026-01-02T03:04:05Z",)"
      R"("status":null,"shared":{"b":4,"tier":"p2p"}})"));
  EXPECT_FALSE(parsed.status.has_value());
  EXPECT_EQ(json::parse(parsed.to_json_text()), parsed.to_json());
  EXPECT_EQ(parsed.shared.b, 4);
  EXPECT_EQ(parsed.shared.tier, beta::BetaTier::p2p);
  EXPECT_EQ(parsed.tier, beta::BetaTier::scaled);  // absent -> default
  EXPECT_EQ(
      error_of<AlphaPingClientEvent>(R"({"eventName":"alpha.ping","eventId":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c",)"
                                     R"("timestamp":"2026-01-02T03:04:05Z","shared":{"b":"4"}})"),
      "body.shared.b: must be an integer");
  // Events file refs into the api file of the same service.
  static_assert(std::is_same_v<decltype(AlphaThingHappenedEvent::status), AlphaStatus>);
  static_assert(std::is_same_v<decltype(AlphaThingHappenedEvent::leaf), std::optional<Leaf>>);
}

TEST(FixtureTopics, ConstantsAndLists) {
  static_assert(kAlphaThingHappened == "alpha.thing.happened");
  static_assert(kAlphaThingTierUpgraded == "alpha.thing.tier-upgraded");
  static_assert(kBetaThingDone == "beta.thing_done");
  static_assert(kPublications.size() == 2);
  static_assert(kSubscriptions.size() == 1);
  EXPECT_EQ(kSubscriptions[0].event, "BetaDoneEvent");
  EXPECT_EQ(kSubscriptions[0].description, "Beta finished");
  ASSERT_EQ(kClientEvents.size(), 1u);
  EXPECT_EQ(kClientEvents[0], "alpha.ping");
}

class RecordingAlphaApi : public AlphaApi {
 public:
  std::optional<Open> last_open;
  Task<Leaf> check_everything(Everything, const platform::CallContext&) override { co_return Leaf{}; }
  Task<beta::Shared> optional_body(Open request, const platform::CallContext&) override {
    last_open = request;
    co_return beta::Shared{1, std::nullopt};
  }
};

TEST(FixtureRoutes, PermissionsWithSeveralStatesAndMissingStates) {
  const auto specs = route_specs();
  ASSERT_EQ(specs.size(), 2u);
  ASSERT_EQ(specs[0].permissions.size(), 2u);
  EXPECT_EQ(specs[0].permissions[0].states,
            (std::vector<std::pair<std::string, std::string>>{{"alpha", "ready"}, {"beta", "joined"}}));
  EXPECT_EQ(specs[0].permissions[1].role, "admin");
  EXPECT_TRUE(specs[0].permissions[1].states.empty());
  EXPECT_TRUE(specs[1].permissions.empty());
  EXPECT_EQ(beta::route_specs().at(0).permissions.at(0).role, "developer");
}

TEST(FixtureRoutes, OptionalBodyMayBeAbsent) {
  platform::RouteTable table;
  RecordingAlphaApi api;
  register_routes(table, api);
  boost::asio::io_context io;
  const platform::CallContext caller{"a", "s", {"service"}, "r"};
  const json::value none;  // JSON null: no body sent
  const auto r = onair::testing::run_task(io, table.find("/alpha/optional-body")->handler(none, caller));
  EXPECT_EQ(json::serialize(r.body()), R"({"b":1})");
  ASSERT_TRUE(api.last_open.has_value());
  EXPECT_FALSE(api.last_open->known.has_value());
  const json::value wrong = json::parse("[1]");
  EXPECT_THROW(onair::testing::run_task(io, table.find("/alpha/optional-body")->handler(wrong, caller)),
               ValidationError);
}

TEST(FixtureOpenApi, ClashingNamesArePrefixedAndRefsRewritten) {
  const auto doc = json::parse(merged_openapi_json());
  const auto& schemas = doc.at("components").at("schemas").as_object();
  // Both services declare Shared: each gets its service prefix; unique names stay as they are.
  EXPECT_FALSE(schemas.contains("Shared"));
  EXPECT_TRUE(schemas.contains("AlphaShared"));
  EXPECT_TRUE(schemas.contains("BetaShared"));
  EXPECT_TRUE(schemas.contains("Everything"));
  EXPECT_EQ(doc.at("paths")
                .at("/alpha/optional-body")
                .at("post")
                .at("responses")
                .at("200")
                .at("content")
                .at("application/json")
                .at("schema")
                .at("$ref")
                .as_string(),
            "#/components/schemas/BetaShared");
  EXPECT_EQ(schemas.at("AlphaPingClientEvent").at("allOf").at(0).at("$ref").as_string(),
            "#/components/schemas/BaseClientEvent");
  EXPECT_EQ(schemas.at("AlphaPingClientEvent").at("properties").at("shared").at("$ref").as_string(),
            "#/components/schemas/BetaShared");
}

}  // namespace
}  // namespace onair::gen::alpha

namespace onair::gen::beta {
namespace {

TEST(FixtureConfiguration, EveryType) {
  const auto d = load_configuration(core::map_env({}));
  EXPECT_EQ(d.ratio, 0.5);
  EXPECT_FALSE(d.maybe_count.has_value());
  EXPECT_FALSE(d.mode.has_value());
  EXPECT_EQ(d.token, "abcdef");
  EXPECT_EQ(d.pin_code, 1234);
  EXPECT_EQ(d.label, "");
  const auto c = load_configuration(core::map_env(
      {{"BETA_RATIO", "0.75"}, {"BETA_MAYBE_COUNT", "3"}, {"BETA_MODE", "IN-PROGRESS"}, {"BETA_TOKEN", "wxyz"}}));
  EXPECT_EQ(c.ratio, 0.75);
  EXPECT_EQ(c.maybe_count, 3);
  EXPECT_EQ(c.mode, Mode::in_progress);
  EXPECT_EQ(c.token, "wxyz");
  EXPECT_FALSE(load_configuration(core::map_env({{"BETA_MODE", ""}})).mode.has_value());
}

std::string error_of(std::map<std::string, std::string, std::less<>> vars) {
  try {
    load_configuration(core::map_env(std::move(vars)));
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(FixtureConfiguration, Errors) {
  EXPECT_EQ(error_of({{"BETA_RATIO", "1.5"}}), R"(BETA_RATIO: must be a number between 0 and 1 (got "1.5"))");
  EXPECT_EQ(error_of({{"BETA_RATIO", "half"}}), R"(BETA_RATIO: must be a number between 0 and 1 (got "half"))");
  EXPECT_EQ(error_of({{"BETA_RATIO", "nan"}}), R"(BETA_RATIO: must be a number between 0 and 1 (got "nan"))");
  EXPECT_EQ(error_of({{"BETA_MAYBE_COUNT", "0"}}), R"(BETA_MAYBE_COUNT: must be an integer of at least 1 (got "0"))");
  EXPECT_EQ(error_of({{"BETA_MODE", "slow"}}), R"(BETA_MODE: must be one of fast, in-progress (got "slow"))");
  EXPECT_EQ(error_of({{"BETA_TOKEN", "abc"}}), "BETA_TOKEN: must be between 4 and 8 characters (value hidden)");
  EXPECT_EQ(error_of({{"BETA_TOKEN", "abcdefghi"}}), "BETA_TOKEN: must be between 4 and 8 characters (value hidden)");
  EXPECT_EQ(error_of({{"BETA_PIN_CODE", "12x4"}}), "BETA_PIN_CODE: must be an integer (value hidden)");
}

TEST(FixtureConfiguration, DescribeMasksEverySecretType) {
  const auto entries = describe(load_configuration(core::map_env({{"BETA_TOKEN", "wxyz"}, {"BETA_PIN_CODE", "9876"}})));
  ASSERT_EQ(entries.size(), 6u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.value.find("wxyz"), std::string::npos);
    EXPECT_EQ(e.value.find("9876"), std::string::npos);
  }
  EXPECT_EQ(entries[0].value, "0.5");
  EXPECT_TRUE(entries[0].is_default);
  EXPECT_EQ(entries[1].value, "(unset)");
  EXPECT_EQ(entries[2].value, "(unset)");
  EXPECT_EQ(entries[3].value, "****(4 chars)");
  EXPECT_EQ(entries[4].value, "****(4 chars)");
  EXPECT_FALSE(entries[4].is_default);
  EXPECT_EQ(entries[5].value, "");
}

}  // namespace
}  // namespace onair::gen::beta
