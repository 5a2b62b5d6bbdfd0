#pragma once
// What a lexicon entry does when its token is seen.
#include <cstdint>

namespace onair::stream::sentiment {

enum class Role : std::uint8_t {
  category,   // adds evidence for `category` with `weight` (its intensity)
  negate,     // flips the polarity of the next one or two words' evidence
  boost,      // multiplies the next one or two words' weight by (1 + weight)
  remove,     // (loader only) deletes an earlier entry with the same token
  cheermote,  // a Twitch cheermote prefix: "<prefix><bits>" in chat is a cheer (not a table entry)
};

}  // namespace onair::stream::sentiment
