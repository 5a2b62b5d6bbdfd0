#include "showtime/service/showtime_records.hpp"

#include <boost/json.hpp>

namespace onair::showtime {
namespace json = boost::json;

namespace {

std::int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return 0;
}

double double_of(const json::value& v) {
  if (v.is_double()) return v.as_double();
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return 0.0;
}

}  // namespace

json::value SessionFinal::to_json() const {
  json::array tags;
  for (const auto& t : content_tags) tags.push_back(t.to_json());
  json::object o;
  o["audience"] = audience.to_json();
  o["contentTags"] = std::move(tags);
  o["followersGained"] = followers_gained;
  o["distinctContentTags"] = distinct_content_tags;
  o["worldFirstCount"] = world_first_count;
  o["durationSeconds"] = duration_seconds;
  return o;
}

SessionFinal SessionFinal::from_json(const json::value& v) {
  SessionFinal f;
  const auto& o = v.as_object();
  f.audience = gs::AudienceMetrics::from_json(o.at("audience"), "final.audience");
  for (const auto& t : o.at("contentTags").as_array()) f.content_tags.push_back(gs::ContentTag::from_json(t));
  f.followers_gained = int_of(o, "followersGained");
  f.distinct_content_tags = int_of(o, "distinctContentTags");
  f.world_first_count = int_of(o, "worldFirstCount");
  f.duration_seconds = int_of(o, "durationSeconds");
  return f;
}

json::value career_to_json(const CareerState& s) {
  json::array growth;
  for (double g : s.growth) growth.push_back(g);
  json::array milestones;
  for (const auto& m : s.milestones) milestones.push_back(json::string(m));
  json::object o;
  o["growth"] = std::move(growth);
  o["phase"] = static_cast<std::int64_t>(s.phase);
  o["sessions"] = s.sessions;
  o["followers"] = s.followers;
  o["watchHours"] = s.watch_hours;
  o["bestPeakViewers"] = s.best_peak_viewers;
  o["hypeTrains"] = s.hype_trains;
  o["bestHypeLevel"] = s.best_hype_level;
  o["worldFirsts"] = s.world_firsts;
  o["milestones"] = std::move(milestones);
  return o;
}

CareerState career_from_json(const json::value& v) {
  CareerState s;
  const auto& o = v.as_object();
  const auto& growth = o.at("growth").as_array();
  for (std::size_t i = 0; i < s.growth.size() && i < growth.size(); ++i) s.growth[i] = double_of(growth[i]);
  s.phase = static_cast<CareerPhase>(int_of(o, "phase"));
  s.sessions = static_cast<std::uint32_t>(int_of(o, "sessions"));
  s.followers = static_cast<std::uint64_t>(int_of(o, "followers"));
  s.watch_hours = double_of(o.at("watchHours"));
  s.best_peak_viewers = static_cast<std::uint32_t>(int_of(o, "bestPeakViewers"));
  s.hype_trains = static_cast<std::uint32_t>(int_of(o, "hypeTrains"));
  s.best_hype_level = static_cast<int>(int_of(o, "bestHypeLevel"));
  s.world_firsts = static_cast<std::uint32_t>(int_of(o, "worldFirsts"));
  for (const auto& m : o.at("milestones").as_array()) s.milestones.emplace_back(m.as_string());
  return s;
}

gs::CareerPhase to_gen(CareerPhase phase) noexcept { return static_cast<gs::CareerPhase>(phase); }
CareerPhase from_gen(gs::CareerPhase phase) noexcept { return static_cast<CareerPhase>(phase); }
gs::GrowthKey to_gen(GrowthKey key) noexcept { return static_cast<gs::GrowthKey>(key); }
GrowthKey from_gen(gs::GrowthKey key) noexcept { return static_cast<GrowthKey>(key); }
gs::GrowthDomain to_gen(GrowthDomain domain) noexcept { return static_cast<gs::GrowthDomain>(domain); }
gs::SentimentCategory to_gen(Sentiment s) noexcept { return static_cast<gs::SentimentCategory>(s); }
Sentiment from_gen(gs::SentimentCategory s) noexcept { return static_cast<Sentiment>(s); }

}  // namespace onair::showtime
