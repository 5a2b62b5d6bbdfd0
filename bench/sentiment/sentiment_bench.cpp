// Sentiment classifier throughput on one core.
//   bench_sentiment corpus DATA_DIR OUT COUNT     writes the corpus (one message a line)
//   bench_sentiment run DATA_DIR CORPUS POLARITY_OUT [SECONDS]
//       classifies the corpus over and over for SECONDS (default 3) of this
//       thread's CPU time, prints "messages_per_cpu_second bytes_per_message sink
//       messages_per_wall_second", writes each message's polarity (-1/0/1).
//   bench_sentiment dump DATA_DIR FILE
//       prints each line's result, "category evidence bits intensity-as-hex-bits",
//       so two builds can be diffed for bit-identical outputs.
// The rate is per CPU second so that other work time-slicing the core (a shared
// 2-core machine) does not count against the classifier; both agree when idle.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "stream/sentiment/evaluation.hpp"
#include "stream/sentiment/lexicon_loader.hpp"

namespace s = onair::stream::sentiment;

namespace {

int make_corpus(const std::string& data_dir, const std::string& out_path, std::size_t count) {
  std::vector<std::string> texts;
  for (auto& l : s::read_dev_set(data_dir + "/dev_set.tsv")) texts.push_back(std::move(l.text));
  std::ofstream out(out_path, std::ios::binary);
  for (const auto& m : onair::bench::make_sentiment_corpus(texts, count, 20240501)) out << m << '\n';
  return out ? 0 : 1;
}

int run(const std::string& data_dir, const std::string& corpus_path, const std::string& polarity_path, double seconds) {
  const s::Classifier classifier(s::load_lexicon(data_dir));
  std::vector<std::string> corpus;
  std::ifstream in(corpus_path, std::ios::binary);
  std::size_t bytes = 0;
  for (std::string line; std::getline(in, line);) bytes += line.size(), corpus.push_back(std::move(line));
  if (corpus.empty()) return 1;

  std::ofstream pol(polarity_path);
  for (const auto& m : corpus) pol << int(s::polarity_of(classifier.classify(m).category)) << '\n';

  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
  };
  using clock = std::chrono::steady_clock;
  std::size_t done = 0;
  unsigned sink = 0;
  const auto wall_start = clock::now();
  const double start = cpu_now();
  auto elapsed = [&] { return cpu_now() - start; };
  while (elapsed() < seconds) {
    for (const auto& m : corpus) {
      const auto r = classifier.classify(m);
      sink += unsigned(r.category) + unsigned(r.intensity * 8.0f);
    }
    done += corpus.size();
  }
  const double t = elapsed();
  const double wall = std::chrono::duration<double>(clock::now() - wall_start).count();
  std::printf("%.0f %.1f %u %.0f\n", double(done) / t, double(bytes) / double(corpus.size()), sink & 1u,
              double(done) / wall);
  return 0;
}

int dump(const std::string& data_dir, const std::string& path) {
  const s::Classifier classifier(s::load_lexicon(data_dir));
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    const auto r = classifier.classify(line);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &r.intensity, sizeof bits);
    std::printf("%d %u %u %08x\n", int(r.category), unsigned(r.evidence), unsigned(r.bits), unsigned(bits));
  }
  return in.bad() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 5 && std::strcmp(argv[1], "corpus") == 0) return make_corpus(argv[2], argv[3], std::stoul(argv[4]));
    if (argc == 4 && std::strcmp(argv[1], "dump") == 0) return dump(argv[2], argv[3]);
    if ((argc == 5 || argc == 6) && std::strcmp(argv[1], "run") == 0) {
      return run(argv[2], argv[3], argv[4], argc == 6 ? std::stod(argv[5]) : 3.0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sentiment: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: bench_sentiment corpus DATA_DIR OUT COUNT | run DATA_DIR CORPUS POLARITY_OUT [SECONDS]"
               " | dump DATA_DIR FILE\n");
  return 2;
}
