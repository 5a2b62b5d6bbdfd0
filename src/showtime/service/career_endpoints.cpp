// Careers (the upstream `streamer` seed type, kept here), milestones, growth
// events, session-end career processing, and resource cleanup.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "showtime/service/event_builders.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace asio = boost::asio;

namespace {

std::string career_lock(const StreamerRef& s) { return "showtime:career:" + s.type + ":" + s.id; }

gs::CareerResponse career_response(const CareerRow& row, const std::string& seed_type,
                                   const ShowtimeEngineConfig& engine, const std::vector<gs::MilestoneRecord>& recent) {
  const auto& s = row.state;
  gs::CareerResponse out;
  out.streamer_type = row.streamer.type;
  out.streamer_id = row.streamer.id;
  out.seed_type_code = seed_type;
  out.phase = to_gen(s.phase);
  out.total_growth = s.total_growth();
  const CareerParams params;
  const auto next = static_cast<std::size_t>(s.phase) + 1;
  if (next < kCareerPhaseCount) {
    out.next_phase = static_cast<gs::CareerPhase>(next);
    out.next_phase_growth = params.phase_min_growth[next];
  }
  for (int d = 0; d < 4; ++d) {
    gs::DomainGrowth dg;
    dg.domain = static_cast<gs::GrowthDomain>(d);
    dg.total = s.domain_growth(static_cast<GrowthDomain>(d));
    for (std::size_t k = 0; k < kGrowthKeyCount; ++k) {
      if (static_cast<int>(domain_of(static_cast<GrowthKey>(k))) != d) continue;
      gs::GrowthAmount a;
      a.key = static_cast<gs::GrowthKey>(k);
      a.amount = s.growth[k];
      dg.subdomains.push_back(a);
    }
    out.domains.push_back(std::move(dg));
  }
  const auto caps = capabilities(s.phase);
  out.capabilities.followers = caps.followers;
  out.capabilities.hype_trains = caps.hype_trains;
  out.capabilities.sponsorships = caps.sponsorships;
  out.capabilities.receives_migration = caps.receives_migration;
  out.capabilities.realm_history = caps.realm_history;
  out.next_audience_pool_size = pool_size_for(engine, s.phase);
  out.total_sessions = s.sessions;
  out.follower_count = static_cast<std::int64_t>(s.followers);
  out.total_watch_hours = s.watch_hours;
  out.best_peak_viewers = s.best_peak_viewers;
  out.hype_trains_completed = s.hype_trains;
  out.best_hype_level = s.best_hype_level;
  out.world_firsts = s.world_firsts;
  out.first_stream_at = row.first_stream_at;
  out.last_stream_at = row.last_stream_at;
  out.recent_milestones = recent;
  return out;
}

}  // namespace

Task<std::optional<std::string>> ShowtimeService::lock_with_retry(const std::string& name) {
  asio::steady_timer timer(context_.executor);
  std::optional<std::string> owner = context_.node_id + ":" + random_hex(8);
  for (int attempt = 0; attempt < 250; ++attempt) {
    if (co_await context_.lock.try_acquire(name, *owner, lock_ttl())) co_return owner;
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return std::nullopt;
}

Task<ShowtimeService::CareerResult> ShowtimeService::apply_career(const StreamerRef& streamer, const CareerFn& fn,
                                                                  const CareerContext& ctx, ShowtimeOutbox& out,
                                                                  std::vector<MilestoneRow> extra) {
  const auto lock_name = career_lock(streamer);
  const auto owner = co_await lock_with_retry(lock_name);
  if (!owner) throw ApiError(503, "career of " + streamer.id + " is busy; retry");
  CareerResult result;
  std::exception_ptr failure;
  try {
    auto existing = co_await store_.career(streamer);
    const bool exists = existing.has_value();
    result.row = existing ? std::move(*existing) : CareerRow{streamer, {}, std::nullopt, std::nullopt};
    result.update = fn(result.row.state);
    const auto now = now_ms();
    std::vector<MilestoneRow> rows;
    for (const auto& m : result.update.milestones) {
      MilestoneRow row;
      row.milestone_id = new_uuid();
      row.streamer = streamer;
      row.reached_ms = now;
      row.record.milestone_code = m.code;
      row.record.kind = gs::parse_milestone_kind(m.kind).value_or(gs::MilestoneKind::phase);
      row.record.value = static_cast<std::int64_t>(m.value);
      row.record.career_phase = to_gen(result.row.state.phase);
      row.record.reached_at = format_ms(now);
      row.record.showtime_session_id = ctx.session_id;
      row.record.game_service_id = ctx.game_service_id;
      rows.push_back(std::move(row));
    }
    for (auto& row : extra) {
      row.record.career_phase = to_gen(result.row.state.phase);
      rows.push_back(std::move(row));
    }
    co_await store_.save_career(result.row, exists, rows);
    for (const auto& row : rows) result.milestones.push_back(row.record);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await context_.lock.release(lock_name, *owner);
  if (failure) std::rethrow_exception(failure);

  const EventCodes codes{config_.milestone_collection_type, config_.hype_collection_type,
                         config_.world_first_collection_type};
  std::optional<gs::CareerPhase> previous;
  if (result.update.phase_from) previous = to_gen(*result.update.phase_from);
  for (const auto& m : result.milestones) {
    std::optional<std::int64_t> hype_level;
    std::optional<gs::HistoryScope> scope;
    if (m.kind == gs::MilestoneKind::performance || m.kind == gs::MilestoneKind::hype) hype_level = m.value;
    if (m.kind == gs::MilestoneKind::performance && m.value >= 5) scope = gs::HistoryScope::realm;
    if (m.kind == gs::MilestoneKind::performance && m.value == 4 && streamer.type == "character") {
      scope = gs::HistoryScope::character;
    }
    out.publish("showtime.milestone.reached",
                milestone_event(nullptr, streamer, m, codes, hype_level, std::nullopt, scope));
    out.push(ctx.streamer_session_id, milestone_client_event(m, previous, hype_level));
  }
  {
    std::lock_guard lock(growth_mutex_);
    const auto total = result.row.state.total_growth();
    for (const auto& g : result.update.growth) {
      gs::ShowtimeGrowthRecordedEvent e;
      e.event_id = new_uuid();
      e.timestamp = now_rfc3339();
      e.streamer_type = streamer.type;
      e.streamer_id = streamer.id;
      e.seed_type_code = config_.streamer_seed_type_code;
      e.key = to_gen(g.key);
      e.domain = to_gen(domain_of(g.key));
      e.amount = g.amount;
      e.reason = ctx.growth_reason_prefix.empty() ? g.reason : ctx.growth_reason_prefix;
      e.total_growth = total;
      e.phase = to_gen(result.row.state.phase);
      e.previous_phase = previous;
      e.game_service_id = ctx.game_service_id;
      e.showtime_session_id = ctx.session_id;
      growth_.add(std::move(e), now_ms());
    }
    if (config_.growth_debounce_interval_ms == 0) {
      for (auto& e : growth_.due(now_ms(), true)) out.publish("showtime.growth.recorded", e.to_json_text());
    }
  }
  co_return result;
}

Task<void> ShowtimeService::flush_growth(bool force) {
  ShowtimeOutbox out;
  {
    std::lock_guard lock(growth_mutex_);
    for (auto& e : growth_.due(now_ms(), force)) out.publish("showtime.growth.recorded", e.to_json_text());
  }
  if (!out.empty()) co_await send(std::move(out));
}

Task<gs::CareerResponse> ShowtimeService::get_career(gs::GetCareerRequest r, const Caller&) {
  const StreamerRef streamer{r.streamer_type, r.streamer_id};
  auto row = co_await store_.career(streamer);
  CareerRow career = row ? std::move(*row) : CareerRow{streamer, {}, std::nullopt, std::nullopt};
  auto recent = co_await store_.milestones(streamer, std::nullopt, 1, 10);
  std::vector<gs::MilestoneRecord> records;
  for (auto& m : recent.items) records.push_back(std::move(m.record));
  co_return career_response(career, config_.streamer_seed_type_code, engine_, records);
}

Task<gs::MilestonesResponse> ShowtimeService::get_milestones(gs::GetMilestonesRequest r, const Caller&) {
  const StreamerRef streamer{r.streamer_type, r.streamer_id};
  auto page = co_await store_.milestones(streamer, r.kind, r.page, r.page_size);
  gs::MilestonesResponse out;
  out.streamer_type = streamer.type;
  out.streamer_id = streamer.id;
  for (auto& m : page.items) out.milestones.push_back(std::move(m.record));
  out.total_count = page.total;
  out.page = r.page;
  out.page_size = r.page_size;
  out.has_next_page = r.page * r.page_size < page.total;
  co_return out;
}

Task<gs::RecordGrowthResponse> ShowtimeService::record_growth(gs::RecordGrowthRequest r, const Caller&) {
  const StreamerRef streamer{r.streamer_type, r.streamer_id};
  std::optional<std::string> game_service;
  std::optional<std::string> streamer_session;
  if (r.showtime_session_id) {
    auto session = co_await require_session(*r.showtime_session_id);
    game_service = session.game_service_id;
    streamer_session = session.streamer_session_id;
  }
  const auto key = from_gen(r.key);
  const auto amount = r.amount;
  const auto reason = r.reason.value_or("manual");
  auto fn = [key, amount, reason](CareerState& s) {
    return showtime::record_growth(s, key, amount, reason, CareerParams{});
  };
  CareerContext ctx{r.showtime_session_id, game_service, streamer_session, ""};
  ShowtimeOutbox out;
  auto result = co_await apply_career(streamer, fn, ctx, out);
  co_await send(std::move(out));
  gs::RecordGrowthResponse response;
  response.streamer_type = streamer.type;
  response.streamer_id = streamer.id;
  response.key = r.key;
  response.amount = r.amount;
  response.total_growth = result.row.state.total_growth();
  response.phase = to_gen(result.row.state.phase);
  if (result.update.phase_from) response.previous_phase = to_gen(*result.update.phase_from);
  response.milestones = result.milestones;
  co_return response;
}

// ---------------------------------------------------------------------------
// Session end -> career

Task<void> ShowtimeService::on_session_ended_event(std::string session_id) {
  co_await apply_session_end_to_career(session_id);
}

Task<std::size_t> ShowtimeService::process_ended_sessions() {
  std::size_t done = 0;
  for (const auto& record : co_await store_.unprocessed_sessions()) {
    try {
      co_await apply_session_end_to_career(record.id);
      ++done;
    } catch (const std::exception& e) {
      log::warn("career processing failed", {{"showtimeSessionId", record.id}, {"error", e.what()}});
    }
  }
  co_return done;
}

Task<void> ShowtimeService::apply_session_end_to_career(const std::string& session_id) {
  const auto lock_name = "showtime:career-session:" + session_id;
  const auto owner = co_await lock_with_retry(lock_name);
  if (!owner) co_return;  // another node is on it
  std::exception_ptr failure;
  try {
    auto record = co_await store_.session(session_id);
    if (record && !record->live() && !record->career_processed && record->final_figures) {
      const auto& f = *record->final_figures;
      SessionSummary summary;
      summary.followers_gained = static_cast<std::uint64_t>(f.followers_gained);
      summary.peak_viewers = static_cast<std::uint32_t>(f.audience.peak_size);
      summary.average_engagement = f.audience.session_average_engagement;
      summary.watch_hours = double(f.audience.total_watch_time_seconds) / 3600.0;
      const auto started_at = record->started_at;
      auto fn = [summary](CareerState& s) { return record_session_end(s, summary, CareerParams{}); };
      CareerContext ctx{record->id, record->game_service_id, record->streamer_session_id, ""};
      ShowtimeOutbox out;
      auto result = co_await apply_career(record->streamer, fn, ctx, out);
      // Stream dates live beside the engine's state.
      if (auto row = co_await store_.career(record->streamer)) {
        if (!row->first_stream_at) row->first_stream_at = started_at;
        row->last_stream_at = started_at;
        const std::vector<MilestoneRow> none;
        co_await store_.save_career(*row, true, none);
      }
      (void)result;
      record->career_processed = true;
      co_await store_.update_session(*record);
      co_await send(std::move(out));
    }
  } catch (...) {
    failure = std::current_exception();
  }
  co_await context_.lock.release(lock_name, *owner);
  if (failure) std::rethrow_exception(failure);
}

// ---------------------------------------------------------------------------
// Resource cleanup (service-internal)

Task<gs::CleanupResponse> ShowtimeService::cleanup_by_character(gs::CleanupByCharacterRequest r, const Caller&) {
  const StreamerRef streamer{"character", r.character_id};
  gs::CleanupResponse out;
  for (auto& record : co_await store_.live_sessions_of(streamer)) {
    if (auto mapping = co_await store_.voice_of_session(record.id); mapping && !mapping->game_session_id) {
      ++out.voice_rooms_deleted;
    }
    co_await finish_session(std::move(record), gs::ShowtimeSessionEndReason::cleanup, true);
    ++out.sessions_ended;
  }
  out.followers_archived = co_await store_.archive_followers(streamer);
  co_await store_.archive_career(streamer);
  co_return out;
}

Task<gs::CleanupResponse> ShowtimeService::cleanup_by_game_service(gs::CleanupByGameServiceRequest r, const Caller&) {
  gs::CleanupResponse out;
  auto sessions = co_await store_.sessions_of_game_service(r.game_service_id);
  for (auto& record : sessions) {
    if (!record.live()) continue;
    co_await finish_session(record, gs::ShowtimeSessionEndReason::cleanup, true);
    ++out.sessions_ended;
  }
  for (const auto& record : sessions) {
    auto mapping = co_await store_.voice_of_session(record.id);
    if (!mapping) continue;
    bool failed = false;
    try {
      if (co_await drop_voice_room(*mapping)) ++out.voice_rooms_deleted;
    } catch (const std::exception& e) {
      log::warn("voice room not deleted in cleanup", {{"voiceRoomId", mapping->voice_room_id}, {"error", e.what()}});
      failed = true;
    }
    if (failed) co_await store_.remove_voice_mapping(mapping->voice_room_id);
  }
  out.followers_deleted = co_await store_.delete_followers_of_game_service(r.game_service_id);
  out.sessions_deleted = co_await store_.delete_sessions_of_game_service(r.game_service_id);
  co_return out;
}

}  // namespace onair::showtime
