#pragma once
// Helpers shared by the capture tests: temporary files, running ffprobe and
// ffmpeg, reading decoded pictures back.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picortc::capture::testing {

// A fresh directory under /tmp, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/picortc-capture-test-XXXXXX";
    const char* made = mkdtemp(pattern);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    if (path_ != "/tmp") std::system(("rm -rf '" + path_ + "'").c_str());
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a shell command; returns its stdout, and its exit status in *status.
inline std::string run_command(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  int rc = pclose(pipe);
  if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// "key=value" lines of `ffprobe -show_entries stream=...` for the first video stream.
inline std::string ffprobe_field(const std::string& path, const std::string& field,
                                 bool count_frames = false) {
  std::string cmd = "ffprobe -v error -select_streams v:0 " +
                    std::string(count_frames ? "-count_frames " : "") + "-show_entries stream=" + field +
                    " -of default=noprint_wrappers=1:nokey=1 '" + path + "'";
  std::string out = run_command(cmd);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Decodes an H.264 file with ffmpeg to raw 8-bit gray pictures (luma only).
inline std::vector<uint8_t> decode_to_gray(const std::string& h264_path, const std::string& raw_path) {
  run_command("ffmpeg -v error -y -i '" + h264_path + "' -f rawvideo -pix_fmt gray '" + raw_path + "'");
  return read_file(raw_path);
}

}  // namespace picortc::capture::testing
