#pragma once
// When a YouTube WebSub lease needs renewing. Pure. (The topic URL: youtube_topic_of in youtube_feed.hpp.)
// https://www.w3.org/TR/websub/#subscriber-sends-subscription-request (hub.lease_seconds)
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::stream {

// True when a lease of `lease_seconds` that ends at `expires_ms` (0: none yet) has a fifth or less left.
bool lease_renewal_due(std::int64_t expires_ms, std::int64_t lease_seconds, std::int64_t now_ms);

// The lease to keep on record from the hub.lease_seconds of the hub's subscribe verification: a positive
// whole number of seconds, at most ten years, else no answer (the asked-for lease stands); never more
// than `asked_seconds`, because the verification GET is not signed and a forged long lease must not stop
// the renewals.
std::optional<std::int64_t> granted_lease_seconds(std::optional<std::string_view> text, std::int64_t asked_seconds);

}  // namespace onair::stream
