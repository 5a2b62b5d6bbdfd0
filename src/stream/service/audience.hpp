#pragma once
// The in-memory audience state of one platform session, and the only place where
// platform user ids of the audience exist in onair (seed 000, "Tracked viewers"):
//
//   TrackedViewers   platform user id -> random tracking id (UUID v4 from the CSPRNG, no
//                    relation to the id), stable within the session, capped by
//                    STREAM_MAX_TRACKED_VIEWERS_PER_SESSION; types by the STREAM_TRACK_*
//                    switches and STREAM_TRACKED_VIEWER_ENGAGEMENT_THRESHOLD.
//   SentimentBuffer  the entries waiting for the next pulse, at most max batch: past it
//                    the lowest intensity is dropped (a min-heap), so a pulse is the
//                    strongest max-batch entries of its interval.
//
// Both die with the session (AudienceState is destroyed when it ends); nothing here is
// persisted, logged or sent. Returners come only from loyalty the platform states in the
// event itself (a resub's cumulative months, a subscriber badge's tenure): nothing is kept
// across sessions, so a returner gets a new tracking id in every session like anyone else.
// Not thread-safe: the owner (LiveStreamSession) holds a mutex.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "gen/stream/models.hpp"

namespace onair::stream {

namespace gst = gen::stream;

// What the platform said about the viewer of one event (never stored as such).
struct ViewerFacts {
  bool subscriber = false;
  bool moderator = false;
  bool vip = false;
  bool raid_leader = false;
  std::int64_t loyalty_months = 0;  // platform-stated: resub cumulative months, subscriber badge tenure
  double activity = 1.0;            // weight of this event for the engagement score (chat 1, events more)
};

struct TrackingPolicy {
  std::size_t max_tracked = 50;
  double engagement_threshold = 0.7;
  bool subscribers = true;
  bool moderators = true;
  bool raid_leaders = true;
  bool vips = true;
  bool returners = true;
  std::int64_t returner_min_months = 2;         // stated loyalty of at least this many months
  std::size_t max_engagement_entries = 100000;  // bound on the per-viewer activity counters
};

// Engagement score of a viewer from its accumulated activity: 1 - 0.8^activity (six chat
// lines pass the default threshold 0.7; a sub or cheer counts three).
double engagement_score(double activity) noexcept;

class TrackedViewers {
 public:
  explicit TrackedViewers(TrackingPolicy policy) : policy_(policy) {}

  struct Tracked {
    std::string tracking_id;
    gst::TrackedViewerType type;
  };
  // Records the event of `platform_user_id` (empty: anonymous event) and answers its tracking
  // id and type when the viewer is (now) tracked.
  std::optional<Tracked> observe(const std::string& platform_user_id, const ViewerFacts& facts);

  std::size_t tracked_count() const noexcept { return tracked_.size(); }
  std::size_t engagement_entries() const noexcept { return activity_.size(); }
  // Destroys everything (session end).
  void clear();

 private:
  std::optional<gst::TrackedViewerType> type_for(const ViewerFacts& facts, double score) const;

  TrackingPolicy policy_;
  std::unordered_map<std::string, Tracked> tracked_;
  std::unordered_map<std::string, double> activity_;
};

class SentimentBuffer {
 public:
  explicit SentimentBuffer(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void add(gst::SentimentEntry entry);
  std::size_t size() const noexcept { return heap_.size(); }
  std::uint64_t dropped() const noexcept { return dropped_; }
  // When at least `min_batch` entries wait: all of them, shuffled with `rng`; the buffer is
  // then empty. Otherwise nullopt and the buffer keeps them.
  std::optional<std::vector<gst::SentimentEntry>> take(std::size_t min_batch, std::mt19937_64& rng);
  void clear() noexcept { heap_.clear(); }

 private:
  std::size_t capacity_;
  std::vector<gst::SentimentEntry> heap_;  // min-heap by intensity
  std::uint64_t dropped_ = 0;
};

}  // namespace onair::stream
