#pragma once
// Counts heap allocations (global operator new) made on this thread while an
// AllocationCounter is alive and enabled. The replacement operators are
// defined in allocation_counter.cpp, linked only into this test binary.
#include <cstddef>

namespace picortc::test {

extern thread_local bool g_count_allocations;
extern thread_local size_t g_allocation_count;

class AllocationCounter {
 public:
  explicit AllocationCounter(bool enabled = true) : enabled_(enabled) {
    g_allocation_count = 0;
    g_count_allocations = enabled;
  }
  ~AllocationCounter() { g_count_allocations = false; }
  size_t count() const { return enabled_ ? g_allocation_count : 0; }

 private:
  bool enabled_;
};

}  // namespace picortc::test
