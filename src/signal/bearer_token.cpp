#include "signal/bearer_token.hpp"

#include <cctype>
#include <cstdint>

namespace picortc::signal {

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // Walk `expected` whole whatever `given` holds; fold every difference,
  // including the length, into one accumulator.
  volatile uint8_t difference = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const uint8_t g = i < given.size() ? static_cast<uint8_t>(given[i]) : 0;
    difference = static_cast<uint8_t>(difference | (g ^ static_cast<uint8_t>(expected[i])));
  }
  return difference == 0;
}

std::string_view bearer_token_of(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return {};
  while (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t'))
    rest.remove_suffix(1);
  return rest;
}

bool bearer_authorized(std::string_view header, std::string_view configured_token) {
  if (configured_token.empty()) return true;
  const std::string_view token = bearer_token_of(header);
  if (token.empty()) return false;
  return constant_time_equal(token, configured_token);
}

}  // namespace picortc::signal
