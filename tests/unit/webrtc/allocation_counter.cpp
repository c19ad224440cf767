#include "allocation_counter.hpp"

#include <cstdlib>
#include <new>

namespace picortc::test {
thread_local bool g_count_allocations = false;
thread_local size_t g_allocation_count = 0;
}  // namespace picortc::test

void* operator new(std::size_t size) {
  if (picortc::test::g_count_allocations) ++picortc::test::g_allocation_count;
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
