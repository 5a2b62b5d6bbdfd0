#pragma once
// Scoring the classifier on a labeled development set (data/sentiment/dev_set.tsv:
// category<TAB>text a line, '#' comments). Lines alternate between the tuning
// half (even data lines) and the held-out half (odd data lines).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/classifier.hpp"

namespace onair::stream::sentiment {

struct LabeledLine {
  Category label = Category::curious;
  std::string text;
  std::size_t index = 0;  // among data lines: even = tuning, odd = held out
};

enum class Half : std::uint8_t { tuning, held_out, all };

// Throws LexiconError ("source:line: ...") on a bad line.
std::vector<LabeledLine> parse_dev_set(std::string_view text, std::string_view source);
std::vector<LabeledLine> read_dev_set(const std::string& path);

struct Evaluation {
  std::array<std::array<std::uint32_t, kCategoryCount>, kCategoryCount> confusion{};  // [label][predicted]
  std::uint32_t total = 0;
  std::uint32_t correct = 0;
  std::uint32_t polarity_correct = 0;

  double accuracy() const noexcept { return total == 0 ? 0.0 : double(correct) / double(total); }
  double polarity_accuracy() const noexcept { return total == 0 ? 0.0 : double(polarity_correct) / double(total); }
  double precision(Category c) const noexcept;
  double recall(Category c) const noexcept;
  double f1(Category c) const noexcept;
  std::uint32_t support(Category c) const noexcept;
};

Evaluation evaluate(const Classifier& classifier, std::span<const LabeledLine> lines, Half half);

}  // namespace onair::stream::sentiment
