#include "stream/sentiment/evaluation.hpp"

#include <fstream>
#include <sstream>

#include "stream/sentiment/lexicon_loader.hpp"

namespace onair::stream::sentiment {

std::vector<LabeledLine> parse_dev_set(std::string_view text, std::string_view source) {
  std::vector<LabeledLine> out;
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t tab = line.find('\t');
    const auto where = std::string(source) + ":" + std::to_string(line_no) + ": ";
    if (tab == std::string_view::npos) throw LexiconError(where + "expected category<TAB>text");
    const auto label = parse_category(line.substr(0, tab));
    if (!label) throw LexiconError(where + "unknown category '" + std::string(line.substr(0, tab)) + "'");
    out.push_back(LabeledLine{*label, std::string(line.substr(tab + 1)), out.size()});
  }
  return out;
}

std::vector<LabeledLine> read_dev_set(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LexiconError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_dev_set(text.str(), path);
}

std::uint32_t Evaluation::support(Category c) const noexcept {
  std::uint32_t n = 0;
  for (auto v : confusion[static_cast<std::size_t>(c)]) n += v;
  return n;
}

double Evaluation::precision(Category c) const noexcept {
  const auto i = static_cast<std::size_t>(c);
  std::uint32_t predicted = 0;
  for (const auto& row : confusion) predicted += row[i];
  return predicted == 0 ? 0.0 : double(confusion[i][i]) / double(predicted);
}

double Evaluation::recall(Category c) const noexcept {
  const auto n = support(c);
  return n == 0 ? 0.0 : double(confusion[static_cast<std::size_t>(c)][static_cast<std::size_t>(c)]) / double(n);
}

double Evaluation::f1(Category c) const noexcept {
  const double p = precision(c), r = recall(c);
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

Evaluation evaluate(const Classifier& classifier, std::span<const LabeledLine> lines, Half half) {
  Evaluation ev;
  for (const auto& l : lines) {
    if (half == Half::tuning && l.index % 2 != 0) continue;
    if (half == Half::held_out && l.index % 2 == 0) continue;
    const auto got = classifier.classify(l.text).category;
    ++ev.confusion[static_cast<std::size_t>(l.label)][static_cast<std::size_t>(got)];
    ++ev.total;
    ev.correct += got == l.label;
    ev.polarity_correct += polarity_of(got) == polarity_of(l.label);
  }
  return ev;
}

}  // namespace onair::stream::sentiment
