#pragma once
// Reading lexicon files (the only I/O of the sentiment library). Format, one
// entry a line, '#' comments and blank lines ignored:
//   token<TAB>category<TAB>weight[<TAB>exact]
// category: one of the 8 categories (any case), or `negate`, `boost`, `remove`,
// `cheermote` (a Twitch cheermote prefix, no weight; `token<TAB>remove<TAB>cheermote`
// deletes one); weight: a number in [0, 1] (optional for `remove`). A bad line
// throws LexiconError naming file:line.
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "stream/sentiment/lexicon.hpp"

namespace onair::stream::sentiment {

class LexiconError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The files of the built-in lexicon directory (data/sentiment), in load order.
inline constexpr std::string_view kLexiconFiles[] = {"emoticons.tsv", "emoji.tsv",  "words.tsv",
                                                     "phrases.tsv",   "emotes.tsv", "cheermotes.tsv"};

// Parses one file's text; `source` names it in errors. Appends to `out`.
void parse_lexicon(std::string_view text, std::string_view source, std::vector<LexiconEntry>& out);

std::vector<LexiconEntry> read_lexicon_file(const std::filesystem::path& file);

// The built-in files of `base_dir` (all required, kLexiconFiles order), then
// every *.tsv of each extra directory in file-name order. Later entries
// override earlier ones, so operators' files win over the built-in ones.
std::vector<LexiconEntry> read_lexicon(const std::filesystem::path& base_dir,
                                       std::span<const std::filesystem::path> extra_dirs = {});

inline Lexicon load_lexicon(const std::filesystem::path& base_dir,
                            std::span<const std::filesystem::path> extra_dirs = {}) {
  const auto entries = read_lexicon(base_dir, extra_dirs);
  return Lexicon::build(entries);
}

}  // namespace onair::stream::sentiment
