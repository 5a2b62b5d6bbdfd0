#include "stream/service/parse_arena.hpp"

#include <mutex>
#include <vector>

namespace onair::stream {
namespace {

// Idle blocks, shared by every thread (an arena can end on another thread than it began on). A
// few are enough: one per delivery between parsing and answering; more are freed.
constexpr std::size_t kMaxIdleBlocks = 16;

struct Pool {
  std::mutex mutex;
  std::vector<unsigned char*> idle;
};

// Never destroyed: arenas may still end while the process exits (coroutine frames torn down
// late). Idle blocks stay reachable from here, so leak checkers do not report them.
Pool& pool() {
  static Pool* const p = new Pool;
  return *p;
}

unsigned char* take_block() {
  {
    auto& p = pool();
    std::lock_guard lock(p.mutex);
    if (!p.idle.empty()) {
      auto* b = p.idle.back();
      p.idle.pop_back();
      return b;
    }
  }
  return new unsigned char[ParseArena::kBlockBytes];
}

}  // namespace

void ParseArena::ReturnToPool::operator()(unsigned char* block) const noexcept {
  auto& p = pool();
  {
    std::lock_guard lock(p.mutex);
    if (p.idle.size() < kMaxIdleBlocks) {
      try {
        p.idle.push_back(block);
        return;
      } catch (...) {
      }
    }
  }
  delete[] block;
}

ParseArena::ParseArena() : block_(take_block()), resource_(block_.get(), kBlockBytes) {}

}  // namespace onair::stream
