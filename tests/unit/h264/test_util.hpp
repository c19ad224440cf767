#pragma once
// Shared helpers for the h264 tests: fixture files and hex.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace picortc::h264::test {

inline std::vector<uint8_t> read_vector_file(const std::string& name) {
  std::string path = std::string(PICORTC_SOURCE_DIR) + "/tests/vectors/h264/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::vector<uint8_t> hex(const std::string& text) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(from_hex(text, out)) << text;
  return out;
}

}  // namespace picortc::h264::test
