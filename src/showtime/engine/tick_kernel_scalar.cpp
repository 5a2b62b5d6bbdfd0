// The portable kernel: update_member() in a loop, compiled twice: for the
// baseline x86-64 (popcount from libgcc) and with the POPCNT instruction
// (every x86-64 CPU since 2008), chosen at run time.
#include "showtime/engine/tick_kernel.hpp"

namespace onair::showtime::detail {

void run_kernel_scalar(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                       KernelAccum& a, KernelOut& out) {
  update_range(c, begin, end, k, a, out);
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) void run_kernel_scalar_popcnt(const KernelColumns& c, std::size_t begin,
                                                                std::size_t end, const KernelConstants& k,
                                                                KernelAccum& a, KernelOut& out) {
  update_range(c, begin, end, k, a, out);
}

bool cpu_has_popcnt() noexcept { return __builtin_cpu_supports("popcnt"); }
#else
void run_kernel_scalar_popcnt(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                              KernelAccum& a, KernelOut& out) {
  run_kernel_scalar(c, begin, end, k, a, out);
}
bool cpu_has_popcnt() noexcept { return false; }
#endif

}  // namespace onair::showtime::detail
