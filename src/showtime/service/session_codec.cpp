#include "showtime/service/session_codec.hpp"

#include <bit>
#include <boost/json.hpp>
#include <cstring>
#include <stdexcept>

#include "platform/access_token.hpp"
#include "showtime/engine/pool_codec.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace {

constexpr std::string_view kMagic = "STS1";

// Doubles travel as their bit patterns so a resumed hype train is exact.
std::uint64_t bits(double d) { return std::bit_cast<std::uint64_t>(d); }
double from_bits(const json::value& v) { return std::bit_cast<double>(v.to_number<std::uint64_t>()); }

template <class T, std::size_t N>
json::array counts_json(const std::array<T, N>& a) {
  json::array out;
  for (const auto& v : a) {
    if constexpr (std::is_floating_point_v<T>) {
      out.push_back(bits(v));
    } else {
      out.push_back(static_cast<std::uint64_t>(v));
    }
  }
  return out;
}

template <class T, std::size_t N>
std::array<T, N> counts_from(const json::value& v) {
  std::array<T, N> out{};
  const auto& a = v.as_array();
  for (std::size_t i = 0; i < N && i < a.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      out[i] = from_bits(a[i]);
    } else {
      out[i] = static_cast<T>(a[i].to_number<std::uint64_t>());
    }
  }
  return out;
}

json::object hype_json(const HypeState& h) {
  json::object o;
  o["now"] = h.now;
  o["active"] = h.active;
  o["train"] = h.train;
  o["trigger"] = static_cast<std::uint64_t>(h.trigger);
  o["level"] = h.level;
  o["peak"] = h.peak_level;
  o["score"] = bits(h.score);
  o["contributed"] = bits(h.contributed);
  o["base"] = bits(h.base);
  o["startedAt"] = h.started_at;
  o["levelExpiresAt"] = h.level_expires_at;
  o["cooldownUntil"] = h.cooldown_until;
  json::array counts, points;
  for (const auto& w : h.window_counts) counts.push_back(counts_json(w));
  for (const auto& w : h.window_points) points.push_back(counts_json(w));
  o["windowCounts"] = std::move(counts);
  o["windowPoints"] = std::move(points);
  o["pendingCounts"] = counts_json(h.pending_counts);
  o["pendingPoints"] = counts_json(h.pending_points);
  return o;
}

HypeState hype_from(const json::object& o) {
  HypeState h;
  h.now = o.at("now").to_number<std::uint32_t>();
  h.active = o.at("active").as_bool();
  h.train = o.at("train").to_number<std::uint32_t>();
  h.trigger = static_cast<Sentiment>(o.at("trigger").to_number<std::uint32_t>());
  h.level = o.at("level").to_number<int>();
  h.peak_level = o.at("peak").to_number<int>();
  h.score = from_bits(o.at("score"));
  h.contributed = from_bits(o.at("contributed"));
  h.base = from_bits(o.at("base"));
  h.started_at = o.at("startedAt").to_number<std::uint32_t>();
  h.level_expires_at = o.at("levelExpiresAt").to_number<std::uint32_t>();
  h.cooldown_until = o.at("cooldownUntil").to_number<std::uint32_t>();
  for (const auto& w : o.at("windowCounts").as_array())
    h.window_counts.push_back(counts_from<std::uint32_t, kSentimentCount>(w));
  for (const auto& w : o.at("windowPoints").as_array())
    h.window_points.push_back(counts_from<double, kSentimentCount>(w));
  h.pending_counts = counts_from<std::uint32_t, kSentimentCount>(o.at("pendingCounts"));
  h.pending_points = counts_from<double, kSentimentCount>(o.at("pendingPoints"));
  return h;
}

json::object meta_json(const LiveSession& s) {
  json::object o;
  json::array names;
  for (TagId t = 0; t < s.tags.size(); ++t) names.push_back(json::string(s.tags.name(t)));
  o["tags"] = std::move(names);
  json::array weights;
  for (TagId t = 0; t < kMaxTags; ++t) weights.push_back(s.content.raw_weight(t));
  o["content"] = std::move(weights);
  o["hype"] = hype_json(s.hype.state());
  if (s.trigger_threshold) o["triggerThreshold"] = *s.trigger_threshold;
  o["hypeTrainId"] = s.hype_train_id;
  o["hypeStartedMs"] = s.hype_started_ms;
  o["churn"] = bits(s.churn_multiplier);
  o["seenTags"] = s.seen_tags;
  json::array events;
  for (const auto& e : s.seen_events) events.push_back(json::string(e));
  o["seenEvents"] = std::move(events);
  o["worldFirsts"] = s.world_firsts;
  json::object tracked;
  for (const auto& [k, v] : s.tracked) tracked[k] = v;
  o["tracked"] = std::move(tracked);
  o["last"] =
      json::array{s.last.size, s.last.engaged, s.last.disengaged, s.last.candidates, bits(s.last.mean_engagement)};
  o["lastTickMs"] = s.last_tick_ms;
  o["reactions"] = counts_json(s.reactions_since_push);
  o["joinedSincePush"] = s.joined_since_push;
  o["leftSincePush"] = s.left_since_push;
  if (s.dominant) o["dominant"] = static_cast<std::uint64_t>(*s.dominant);
  o["voiceParticipants"] = s.voice_participants;
  o["pending"] = json::array{s.pending_new_tags, s.pending_unique_events, s.pending_world_firsts};
  return o;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(in[std::size_t(i)])) << (8 * i);
  return v;
}

}  // namespace

std::string encode_session(const LiveSession& s) {
  const auto pool = encode_pool(s.pool, &s.rng);
  const auto meta = json::serialize(meta_json(s));
  std::string raw(kMagic);
  put_u32(raw, static_cast<std::uint32_t>(pool.size()));
  raw += pool;
  raw += meta;
  return platform::base64url_encode(raw);
}

std::unique_ptr<LiveSession> decode_session(std::string_view checkpoint, SessionRecord record,
                                            std::shared_ptr<const AudienceContext> context,
                                            const ShowtimeEngineConfig& config) {
  std::string raw;
  if (!platform::base64url_decode(checkpoint, raw)) throw std::invalid_argument("checkpoint is not base64url");
  if (raw.size() < kMagic.size() + 4 || std::string_view(raw).substr(0, kMagic.size()) != kMagic) {
    throw std::invalid_argument("not a showtime session checkpoint");
  }
  const auto pool_size = get_u32(std::string_view(raw).substr(kMagic.size(), 4));
  const auto pool_at = kMagic.size() + 4;
  if (raw.size() < pool_at + pool_size) throw std::invalid_argument("truncated checkpoint");
  auto decoded = decode_pool(std::string_view(raw).substr(pool_at, pool_size), context->reservoir);
  boost::system::error_code ec;
  auto meta_value = json::parse(std::string_view(raw).substr(pool_at + pool_size), ec);
  if (ec || !meta_value.is_object()) throw std::invalid_argument("checkpoint metadata is not JSON");
  const auto& meta = meta_value.as_object();

  auto s = std::make_unique<LiveSession>(std::move(record), std::move(context), std::move(decoded.pool));
  if (decoded.rng) s->rng.set_state(*decoded.rng);
  s->tags = TagVocabulary{};
  for (const auto& name : meta.at("tags").as_array()) s->tags.intern(name.as_string());
  const auto& weights = meta.at("content").as_array();
  for (TagId t = 0; t < kMaxTags && t < weights.size(); ++t) {
    const auto raw_weight = weights[t].to_number<std::uint32_t>();
    if (raw_weight) s->content.set(t, double(raw_weight) / double(ContentTags::kFull));
  }
  if (const auto* th = meta.if_contains("triggerThreshold")) s->trigger_threshold = th->to_number<std::uint32_t>();
  s->hype = HypeTrain(session_hype_params(*s, config), hype_from(meta.at("hype").as_object()));
  s->hype_train_id = std::string(meta.at("hypeTrainId").as_string());
  s->hype_started_ms = meta.at("hypeStartedMs").to_number<std::int64_t>();
  s->churn_multiplier = from_bits(meta.at("churn"));
  s->seen_tags = meta.at("seenTags").to_number<std::uint64_t>();
  for (const auto& e : meta.at("seenEvents").as_array()) s->seen_events.emplace_back(e.as_string());
  s->world_firsts = meta.at("worldFirsts").to_number<std::uint32_t>();
  for (const auto& [k, v] : meta.at("tracked").as_object()) s->tracked[std::string(k)] = v.to_number<MemberId>();
  const auto& last = meta.at("last").as_array();
  s->last =
      LastTick{last.at(0).to_number<std::uint32_t>(), last.at(1).to_number<std::uint32_t>(),
               last.at(2).to_number<std::uint32_t>(), last.at(3).to_number<std::uint32_t>(), from_bits(last.at(4))};
  s->last_tick_ms = meta.at("lastTickMs").to_number<std::int64_t>();
  s->reactions_since_push = counts_from<std::uint32_t, kSentimentCount>(meta.at("reactions"));
  s->joined_since_push = meta.at("joinedSincePush").to_number<std::uint64_t>();
  s->left_since_push = meta.at("leftSincePush").to_number<std::uint64_t>();
  if (const auto* d = meta.if_contains("dominant")) s->dominant = static_cast<Sentiment>(d->to_number<std::uint32_t>());
  s->voice_participants = meta.at("voiceParticipants").to_number<std::int64_t>();
  const auto& pending = meta.at("pending").as_array();
  s->pending_new_tags = pending.at(0).to_number<std::uint32_t>();
  s->pending_unique_events = pending.at(1).to_number<std::uint32_t>();
  s->pending_world_firsts = pending.at(2).to_number<std::uint32_t>();
  return s;
}

}  // namespace onair::showtime
