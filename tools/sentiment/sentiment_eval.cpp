// Scores the sentiment classifier on the labeled dev set: per-category
// precision/recall/F1 and accuracy for the tuning half, the held-out half and
// both. Usage:
//   sentiment_eval LEXICON_DIR DEV_SET [--extra DIR]... [--errors tuning|held_out|all]
//   sentiment_eval LEXICON_DIR --classify        (stdin lines -> category intensity evidence)
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "stream/sentiment/evaluation.hpp"
#include "stream/sentiment/lexicon_loader.hpp"

namespace s = onair::stream::sentiment;

namespace {

void report(const char* title, const s::Evaluation& ev) {
  std::printf("%s: %u lines, accuracy %.1f%%, polarity accuracy %.1f%%\n", title, ev.total, 100.0 * ev.accuracy(),
              100.0 * ev.polarity_accuracy());
  std::printf("  %-11s %9s %9s %9s %8s\n", "category", "precision", "recall", "F1", "support");
  double macro = 0.0;
  for (std::size_t i = 0; i < s::kCategoryCount; ++i) {
    const auto c = static_cast<s::Category>(i);
    macro += ev.f1(c);
    std::printf("  %-11s %8.1f%% %8.1f%% %8.1f%% %8u\n", std::string(s::to_string(c)).c_str(), 100.0 * ev.precision(c),
                100.0 * ev.recall(c), 100.0 * ev.f1(c), ev.support(c));
  }
  std::printf("  macro F1 %.1f%%\n", 100.0 * macro / double(s::kCategoryCount));
}

s::Half parse_half(const std::string& h) {
  if (h == "tuning") return s::Half::tuning;
  if (h == "held_out") return s::Half::held_out;
  return s::Half::all;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s LEXICON_DIR DEV_SET [--extra DIR]... [--errors tuning|held_out|all]\n", argv[0]);
    std::fprintf(stderr, "       %s LEXICON_DIR --classify\n", argv[0]);
    return 2;
  }
  try {
    std::vector<std::filesystem::path> extra;
    std::string errors;
    bool classify = std::strcmp(argv[2], "--classify") == 0;
    for (int i = 3; i + 1 < argc; i += 2) {
      if (std::strcmp(argv[i], "--extra") == 0) extra.emplace_back(argv[i + 1]);
      if (std::strcmp(argv[i], "--errors") == 0) errors = argv[i + 1];
    }
    const s::Classifier classifier(s::load_lexicon(argv[1], extra));
    if (classify) {
      for (std::string line; std::getline(std::cin, line);) {
        const auto r = classifier.classify(line);
        std::printf("%s\t%.2f\t%u\t%s\n", std::string(s::to_string(r.category)).c_str(), double(r.intensity),
                    unsigned(r.evidence), line.c_str());
      }
      return 0;
    }
    const auto lines = s::read_dev_set(argv[2]);
    std::printf("lexicon: %zu entries, %zu bytes of tables\n", classifier.lexicon().entry_count(),
                classifier.lexicon().table_bytes());
    report("tuning half (even lines)", s::evaluate(classifier, lines, s::Half::tuning));
    report("held-out half (odd lines)", s::evaluate(classifier, lines, s::Half::held_out));
    report("all", s::evaluate(classifier, lines, s::Half::all));
    if (!errors.empty()) {
      const auto half = parse_half(errors);
      std::printf("\nerrors (%s): label -> predicted\n", errors.c_str());
      for (const auto& l : lines) {
        if (half == s::Half::tuning && l.index % 2 != 0) continue;
        if (half == s::Half::held_out && l.index % 2 == 0) continue;
        const auto r = classifier.classify(l.text);
        if (r.category == l.label) continue;
        std::printf("  %-10s -> %-10s %.2f  %s\n", std::string(s::to_string(l.label)).c_str(),
                    std::string(s::to_string(r.category)).c_str(), double(r.intensity), l.text.c_str());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sentiment_eval: %s\n", e.what());
    return 1;
  }
  return 0;
}
