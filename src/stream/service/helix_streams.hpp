#pragma once
// Reading Helix GET /streams?user_id=... (https://dev.twitch.tv/docs/api/reference/#get-streams). Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::stream {

struct HelixStreamState {
  bool live = false;              // the user is in `data` with type "live"
  std::int64_t viewer_count = 0;  // when live
};

// nullopt: not a Helix streams answer. Offline is `data: []` (live = false).
std::optional<HelixStreamState> parse_helix_stream(std::string_view body, const std::string& user_id);

}  // namespace onair::stream
