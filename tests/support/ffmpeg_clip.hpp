#pragma once
// H.264 clips made by ffmpeg at test time, once per build directory and
// name (several test binaries may ask at once: each writes a private file
// and renames it into place).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picortc::test {

inline bool have_ffmpeg() {
  return std::system("ffmpeg -version >/dev/null 2>&1") == 0;
}

// Runs `ffmpeg -nostdin -v error -y <input_and_codec_args> -f h264 <file>`
// unless the file exists. Returns its path, or "" when ffmpeg failed.
inline std::string ffmpeg_h264_clip(const std::string& name, const std::string& input_and_codec_args) {
  std::string dir = std::string(PICORTC_BINARY_DIR) + "/tests/clips";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string final_path = dir + "/" + name + ".h264";
  if (std::filesystem::exists(final_path, ec)) return final_path;
  std::string tmp = final_path + ".tmp" + std::to_string(getpid());
  std::string command =
      "ffmpeg -nostdin -v error -y " + input_and_codec_args + " -f h264 '" + tmp + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::filesystem::remove(tmp, ec);  // a half-written clip must not linger
    return std::string();
  }
  std::filesystem::rename(tmp, final_path, ec);
  return ec ? std::string() : final_path;
}

inline std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace picortc::test
