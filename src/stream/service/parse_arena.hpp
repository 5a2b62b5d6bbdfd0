#pragma once
// Memory for parsing one webhook body: a boost::json monotonic resource over a block leased
// from a small process-wide pool. A 1-2 KB EventSub notification becomes a DOM of some fifty
// keys and strings; with the default resource that was one malloc + free each, the largest
// single cost of the webhook path (perf on bench/webhook). Values parsed with storage() live
// until the arena goes: keep the arena alive longer than anything parsed into it (declare it
// first). Not copyable; may be destroyed on another thread than it was made on (a coroutine
// that moved threads).
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>
#include <cstddef>
#include <memory>

namespace onair::stream {

class ParseArena {
 public:
  static constexpr std::size_t kBlockBytes = 32 * 1024;  // a 64 KB body may outgrow it: then the heap

  ParseArena();
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;

  // Non-owning: every value parsed with it must die before the arena.
  boost::json::storage_ptr storage() noexcept { return boost::json::storage_ptr(&resource_); }

 private:
  // Destroyed after resource_ (declared before it): the block goes back to the pool, or is
  // freed when the pool is full.
  struct ReturnToPool {
    void operator()(unsigned char* block) const noexcept;
  };
  std::unique_ptr<unsigned char[], ReturnToPool> block_;
  boost::json::monotonic_resource resource_;
};

}  // namespace onair::stream
