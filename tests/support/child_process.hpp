#pragma once
// A child process for tests that run our binaries (or ffmpeg, coturn ...);
// killed at destruction if still running, so no test leaves one behind.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loop.hpp"

extern char** environ;

namespace picortc::test {

// Path of a binary built by this project, e.g. built_binary("apps/picortc/picortc").
inline std::string built_binary(const std::string& relative) {
  return std::string(PICORTC_BINARY_DIR) + "/" + relative;
}

// A cross build runs its tests under an emulator (qemu-user): CTest sets
// PICORTC_TEST_EMULATOR (cmake/PicortcHelpers.cmake) to its command line.
// Without binfmt_misc the kernel cannot exec the ARM binaries of this build
// directly, so they are run through the same emulator; host programs
// (ffmpeg, coturn, python3) are exec'd as they are.
inline std::vector<std::string> command_for(const std::vector<std::string>& argv) {
  const char* emulator = std::getenv("PICORTC_TEST_EMULATOR");
  const std::string built_here = std::string(PICORTC_BINARY_DIR) + "/";
  if (emulator == nullptr || *emulator == '\0' || argv.empty() ||
      argv[0].compare(0, built_here.size(), built_here) != 0) {
    return argv;
  }
  std::vector<std::string> command;
  std::istringstream words(emulator);
  for (std::string word; words >> word;)
    command.push_back(word);
  command.insert(command.end(), argv.begin(), argv.end());
  return command;
}

class ChildProcess {
 public:
  // argv[0] is the program (a path, or a name looked up in PATH).
  explicit ChildProcess(const std::vector<std::string>& argv) {
    const std::vector<std::string> command = command_for(argv);
    std::vector<char*> args;
    for (const auto& arg : command)
      args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    if (command.empty() ||
        posix_spawnp(&pid_, command[0].c_str(), nullptr, nullptr, args.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // True once the process has exited (status in exit_code()).
  bool poll_exit() {
    if (exited_ || pid_ <= 0) return exited_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exited_;
  }
  // Waits at most `limit`, running `loop` meanwhile when given.
  bool wait_exit(EventLoop* loop, Duration limit) {
    TimePoint end = Clock::now() + limit;
    while (!poll_exit() && Clock::now() < end) {
      if (loop != nullptr) {
        loop->run_once(milliseconds(10));
      } else {
        usleep(10000);
      }
    }
    return exited_;
  }
  void signal(int number) {
    if (pid_ > 0 && !exited_) kill(pid_, number);
  }
  int exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace picortc::test
