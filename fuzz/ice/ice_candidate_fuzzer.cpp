// Fuzz target `ice_candidate`: whatever parses as a candidate attribute must
// print back to a string that parses to an equal candidate.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ice/ice_candidate.hpp"

using namespace picortc::ice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_candidate(text);
  if (!parsed.ok()) return 0;
  (void)parsed->is_mdns();
  auto again = parse_candidate(parsed->to_attribute_value());
  if (!again.ok() || !(*again == *parsed)) std::abort();
  return 0;
}
