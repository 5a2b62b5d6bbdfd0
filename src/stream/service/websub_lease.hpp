#pragma once
// When a YouTube WebSub lease needs renewing. Pure. (The topic URL: youtube_topic_of in youtube_feed.hpp.)
// https://www.w3.org/TR/websub/#subscriber-sends-subscription-request (hub.lease_seconds)
#include <cstdint>

namespace onair::stream {

// True when a lease of `lease_seconds` that ends at `expires_ms` (0: none yet) has a fifth or less left.
bool lease_renewal_due(std::int64_t expires_ms, std::int64_t lease_seconds, std::int64_t now_ms);

}  // namespace onair::stream
