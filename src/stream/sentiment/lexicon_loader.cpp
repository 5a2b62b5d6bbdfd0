#include "stream/sentiment/lexicon_loader.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace onair::stream::sentiment {

namespace {

[[noreturn]] void fail(std::string_view source, std::size_t line, const std::string& what) {
  throw LexiconError(std::string(source) + ":" + std::to_string(line) + ": " + what);
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> cols;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    cols.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return cols;
    start = tab + 1;
  }
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

float parse_weight(std::string_view text, std::string_view source, std::size_t line) {
  float v = 0.0f;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0.0f && v <= 1.0f)) {
    fail(source, line, "weight '" + std::string(text) + "' is not a number in [0, 1]");
  }
  return v;
}

LexiconEntry parse_line(std::string_view text, std::string_view source, std::size_t line) {
  const auto cols = split_tabs(text);
  if (cols.size() < 2 || cols.size() > 4) {
    fail(source, line,
         "expected token<TAB>category<TAB>weight[<TAB>exact], got " + std::to_string(cols.size()) + " column(s)");
  }
  LexiconEntry e;
  const std::string_view token = cols[0];
  if (token.empty()) fail(source, line, "empty token");
  if (token.front() == ' ' || token.back() == ' ' || token.find("  ") != std::string_view::npos) {
    fail(source, line, "token '" + std::string(token) + "': phrases take single spaces between words");
  }
  e.token = std::string(token);
  const std::string_view cat = cols[1];
  if (cat == "negate") {
    e.role = Role::negate;
  } else if (cat == "boost") {
    e.role = Role::boost;
  } else if (cat == "remove") {
    e.role = Role::remove;
  } else if (cat == "cheermote") {
    e.role = Role::cheermote;
  } else if (const auto c = parse_category(cat)) {
    e.category = *c;
  } else {
    fail(source, line,
         "unknown category '" + std::string(cat) +
             "' (expected one of the 8 categories, negate, boost, "
             "cheermote or remove)");
  }
  if (e.role == Role::cheermote) {
    // A cheer's intensity comes from its bits (the event table), so no weight.
    if (cols.size() > 2) fail(source, line, "a cheermote takes no weight or flag");
    return e;
  }
  if (e.role == Role::remove && cols.size() == 3 && cols[2] == "cheermote") {
    e.cheermote = true;  // "BibleThump<TAB>remove<TAB>cheermote" deletes the cheermote prefix only
    return e;
  }
  if (cols.size() < 3) {
    if (e.role != Role::remove) fail(source, line, "missing weight");
  } else {
    e.weight = parse_weight(cols[2], source, line);
  }
  if (cols.size() == 4) {
    if (cols[3] != "exact") fail(source, line, "unknown flag '" + std::string(cols[3]) + "' (expected exact)");
    e.exact = true;
  }
  return e;
}

}  // namespace

void parse_lexicon(std::string_view text, std::string_view source, std::vector<LexiconEntry>& out) {
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line) || line.front() == '#') continue;
    out.push_back(parse_line(line, source, line_no));
  }
}

std::vector<LexiconEntry> read_lexicon_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw LexiconError(file.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<LexiconEntry> out;
  parse_lexicon(text.str(), file.string(), out);
  return out;
}

std::vector<LexiconEntry> read_lexicon(const std::filesystem::path& base_dir,
                                       std::span<const std::filesystem::path> extra_dirs) {
  std::vector<LexiconEntry> all;
  auto append = [&all](const std::filesystem::path& file) {
    auto entries = read_lexicon_file(file);
    all.insert(all.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  };
  for (const auto name : kLexiconFiles) append(base_dir / name);
  for (const auto& dir : extra_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) throw LexiconError(dir.string() + ": not a directory");
    std::vector<std::filesystem::path> files;
    for (const auto& item : std::filesystem::directory_iterator(dir)) {
      if (item.is_regular_file() && item.path().extension() == ".tsv") files.push_back(item.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) append(f);
  }
  return all;
}

}  // namespace onair::stream::sentiment
