#include "showtime/engine/hype_train.hpp"

#include <algorithm>
#include <cmath>

namespace onair::showtime {

std::string_view to_string(HypeEnd reason) noexcept {
  switch (reason) {
    case HypeEnd::decayed:
      return "decayed";
    case HypeEnd::level_timer:
      return "level_timer";
    case HypeEnd::max_duration:
      return "max_duration";
    case HypeEnd::top_level:
      return "top_level";
    case HypeEnd::session_end:
      return "session_end";
  }
  return "decayed";
}

std::string_view to_string(HypeMilestoneKind kind) noexcept {
  switch (kind) {
    case HypeMilestoneKind::notable_moment:
      return "notable_moment";
    case HypeMilestoneKind::memorable_performance:
      return "memorable_performance";
    case HypeMilestoneKind::legendary_performance:
      return "legendary_performance";
  }
  return "notable_moment";
}

HypeTrain::HypeTrain(HypeParams params) : params_(params) { resize_window(); }

HypeTrain::HypeTrain(HypeParams params, HypeState state) : params_(params), state_(std::move(state)) {
  resize_window();
}

void HypeTrain::set_params(const HypeParams& params) {
  params_ = params;
  resize_window();
}

void HypeTrain::resize_window() {
  params_.trigger_window_ticks = std::max<std::uint32_t>(1, params_.trigger_window_ticks);
  params_.max_level = std::max(1, params_.max_level);
  if (state_.window_counts.size() != params_.trigger_window_ticks ||
      state_.window_points.size() != params_.trigger_window_ticks) {
    state_.window_counts.assign(params_.trigger_window_ticks, {});
    state_.window_points.assign(params_.trigger_window_ticks, {});
  }
}

void HypeTrain::add_entry(Sentiment category, double intensity, double viewer_weight) {
  const auto c = static_cast<std::size_t>(category) & 7u;
  ++state_.pending_counts[c];
  if (intensity > params_.high_intensity) state_.pending_points[c] += intensity * std::max(0.0, viewer_weight);
}

void HypeTrain::add(Sentiment category, std::uint32_t count, double points) {
  const auto c = static_cast<std::size_t>(category) & 7u;
  state_.pending_counts[c] += count;
  state_.pending_points[c] += std::max(0.0, points);
}

void HypeTrain::add_reactions(const SentimentCounts& reactions) {
  for (std::size_t c = 0; c < kSentimentCount; ++c) {
    if (reactions[c]) add(static_cast<Sentiment>(c), reactions[c], double(reactions[c]));
  }
}

double HypeTrain::level_threshold(int level) const {
  double threshold = state_.active ? state_.base : params_.level_base_score;
  for (int l = 1; l < level; ++l) threshold *= params_.level_exponent;  // no std::pow: same result everywhere
  return threshold;
}

double HypeTrain::level_floor(int level) const {
  double floor = 0.0;
  for (int l = 1; l < level; ++l) floor += level_threshold(l);
  return floor;
}

double HypeTrain::weigh(const std::array<double, kSentimentCount>& points) const {
  double total = 0.0;
  for (std::size_t c = 0; c < kSentimentCount; ++c) {
    const auto s = static_cast<Sentiment>(c);
    if (!is_hype(s) || points[c] <= 0.0) continue;
    total += (s == state_.trigger ? 1.0 : params_.other_category_weight) * points[c];
  }
  return total;
}

HypeEvent HypeTrain::event(HypeEvent::Kind kind) const {
  HypeEvent e;
  e.kind = kind;
  e.train = state_.train;
  e.level = state_.level;
  e.peak_level = state_.peak_level;
  e.trigger = state_.trigger;
  e.tick = state_.now;
  return e;
}

void HypeTrain::level_up(std::vector<HypeEvent>& events) {
  while (state_.level < params_.max_level && state_.score >= level_floor(state_.level + 1)) {
    const int previous = state_.level;
    ++state_.level;
    // Twitch: reaching a level restarts the level timer; never past the hard cap.
    state_.level_expires_at =
        std::min(state_.now + params_.level_timeout_ticks, state_.started_at + params_.max_duration_ticks);
    const bool new_peak = state_.level > state_.peak_level;
    state_.peak_level = std::max(state_.peak_level, state_.level);
    HypeEvent e = event(HypeEvent::Kind::leveled);
    e.previous_level = previous;
    events.push_back(e);
    if (new_peak && state_.level >= 3) {
      HypeEvent m = event(HypeEvent::Kind::milestone);
      m.milestone = static_cast<HypeMilestoneKind>(std::min(state_.level, 5));
      events.push_back(m);
    }
  }
}

void HypeTrain::complete(HypeEnd reason, std::vector<HypeEvent>& events) {
  HypeEvent e = event(HypeEvent::Kind::completed);
  e.reason = reason;
  e.duration_ticks = state_.now - state_.started_at;
  e.total_score = state_.contributed;
  events.push_back(e);
  state_.active = false;
  state_.level = 0;
  state_.score = 0.0;
  state_.cooldown_until = state_.now + params_.cooldown_ticks;
  for (auto& w : state_.window_counts) w.fill(0);
  for (auto& w : state_.window_points) w.fill(0.0);
}

std::vector<HypeEvent> HypeTrain::end(HypeEnd reason) {
  std::vector<HypeEvent> events;
  if (state_.active) complete(reason, events);
  return events;
}

std::vector<HypeEvent> HypeTrain::tick(std::uint32_t audience_size) {
  std::vector<HypeEvent> events;
  const std::uint32_t now = ++state_.now;
  const std::size_t slot = now % params_.trigger_window_ticks;
  state_.window_counts[slot] = state_.pending_counts;
  state_.window_points[slot] = state_.pending_points;
  state_.pending_counts.fill(0);
  state_.pending_points.fill(0.0);

  if (state_.active) {
    const double fed = weigh(state_.window_points[slot]);
    state_.score += fed;
    state_.contributed += fed;
    level_up(events);
    if (state_.level == params_.max_level && state_.score >= level_floor(params_.max_level + 1)) {
      complete(HypeEnd::top_level, events);
      return events;
    }
    state_.score -= std::max(0.0, params_.decay_rate) * level_threshold(state_.level);
    while (state_.level > 1 && state_.score < level_floor(state_.level)) {
      const int previous = state_.level--;
      HypeEvent e = event(HypeEvent::Kind::deescalated);
      e.previous_level = previous;
      events.push_back(e);
    }
    if (state_.score <= 0.0) {
      complete(HypeEnd::decayed, events);
    } else if (now - state_.started_at >= params_.max_duration_ticks) {
      complete(HypeEnd::max_duration, events);
    } else if (static_cast<std::int32_t>(now - state_.level_expires_at) >= 0) {
      complete(HypeEnd::level_timer, events);
    }
    return events;
  }

  if (!params_.enabled || static_cast<std::int32_t>(now - state_.cooldown_until) < 0) return events;
  std::array<std::uint32_t, kSentimentCount> counts{};
  std::array<double, kSentimentCount> points{};
  for (std::size_t w = 0; w < state_.window_counts.size(); ++w) {
    for (std::size_t c = 0; c < kSentimentCount; ++c) {
      counts[c] += state_.window_counts[w][c];
      points[c] += state_.window_points[w][c];
    }
  }
  std::optional<Sentiment> trigger;
  std::uint32_t best = 0;
  for (std::size_t c = 0; c < kSentimentCount; ++c) {
    const auto s = static_cast<Sentiment>(c);
    if (is_hype(s) && counts[c] >= std::max<std::uint32_t>(1, params_.trigger_threshold) && counts[c] > best) {
      best = counts[c];
      trigger = s;
    }
  }
  if (!trigger) return events;

  state_.active = true;
  ++state_.train;
  state_.trigger = *trigger;
  state_.level = 1;
  state_.peak_level = 1;
  state_.started_at = now;
  state_.level_expires_at = now + std::min(params_.level_timeout_ticks, params_.max_duration_ticks);
  state_.base = std::max(params_.level_base_score, params_.level_base_per_member * double(audience_size));
  if (!(state_.base > 0.0)) state_.base = 1.0;
  state_.score = std::max(weigh(points), params_.start_score_min);
  state_.contributed = state_.score;
  for (auto& w : state_.window_counts) w.fill(0);
  for (auto& w : state_.window_points) w.fill(0.0);
  events.push_back(event(HypeEvent::Kind::started));
  level_up(events);
  if (state_.level == params_.max_level && state_.score >= level_floor(params_.max_level + 1)) {
    complete(HypeEnd::top_level, events);
  }
  return events;
}

HypeStatus HypeTrain::status() const {
  HypeStatus s;
  s.active = state_.active;
  s.trigger = state_.trigger;
  s.peak_level = state_.peak_level;
  if (static_cast<std::int32_t>(state_.cooldown_until - state_.now) > 0) {
    s.cooldown_remaining = state_.cooldown_until - state_.now;
  }
  if (!state_.active) return s;
  s.level = state_.level;
  s.level_threshold = level_threshold(state_.level);
  s.progress = std::max(0.0, state_.score - level_floor(state_.level));
  s.fraction = s.level_threshold > 0.0 ? std::min(1.0, s.progress / s.level_threshold) : 0.0;
  s.ticks_remaining =
      static_cast<std::int32_t>(state_.level_expires_at - state_.now) > 0 ? state_.level_expires_at - state_.now : 0;
  return s;
}

}  // namespace onair::showtime
