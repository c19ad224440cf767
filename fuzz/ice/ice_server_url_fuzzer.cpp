// Fuzz target `ice_server_url`: whatever parses as an ICE server URL must
// print (to_string) back to text that parses to an equal value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ice/ice_server_url.hpp"

using namespace picortc::ice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_ice_server_url(text);
  if (!parsed.ok()) return 0;
  (void)parsed->to_redacted_string();
  auto again = parse_ice_server_url(parsed->to_string());
  if (!again.ok() || !(*again == *parsed)) std::abort();
  return 0;
}
