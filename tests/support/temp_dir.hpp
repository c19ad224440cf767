#pragma once
// A temporary directory removed with everything in it at destruction. Under
// /tmp because Unix socket paths must stay under 108 bytes.
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace picortc::test {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/picortc-test-XXXXXX";
    const char* made = mkdtemp(pattern);
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace picortc::test
