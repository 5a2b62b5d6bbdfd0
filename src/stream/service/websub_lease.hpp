#pragma once
// When a YouTube WebSub lease needs renewing. Pure. (The topic URL: youtube_topic_of in youtube_feed.hpp.)
// https://www.w3.org/TR/websub/#subscriber-sends-subscription-request (hub.lease_seconds)
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::stream {

// True when a lease of `lease_seconds` that ends at `expires_ms` (0: none yet) has a fifth or less left.
bool lease_renewal_due(std::int64_t expires_ms, std::int64_t lease_seconds, std::int64_t now_ms);

// The lease the hub granted, from the hub.lease_seconds of its subscribe verification: a positive
// whole number of seconds, at most ten years; anything else is no answer (the requested lease stands).
std::optional<std::int64_t> granted_lease_seconds(std::optional<std::string_view> text);

}  // namespace onair::stream
