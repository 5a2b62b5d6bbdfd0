#pragma once
// The built-in lexicon, loaded once for the sentiment tests.
#include "stream/sentiment/classifier.hpp"
#include "stream/sentiment/lexicon_loader.hpp"

namespace onair::stream::sentiment::testing {

inline const Classifier& builtin() {
  static const Classifier c(load_lexicon(ONAIR_SENTIMENT_DATA_DIR));
  return c;
}

inline Sentiment classify(std::string_view text) { return builtin().classify(text); }

}  // namespace onair::stream::sentiment::testing
