#pragma once
// The single-threaded event loop (epoll) that owns every socket and all
// protocol state of `serve` and `view` (docs/threading.md).
//
// Threading: every method except post() and stop() must be called on the
// loop's thread (or before run()). Callbacks run on the loop's thread and may
// add or remove fds and timers, including their own.
#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace picortc {

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t epoll_events)>;
  using TimerCallback = std::function<void()>;
  using SignalCallback = std::function<void(int signal_number)>;
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd for epoll events (EPOLLIN, EPOLLOUT, ...). One callback per fd.
  Status add_fd(int fd, uint32_t events, FdCallback callback);
  Status modify_fd(int fd, uint32_t events);
  // Safe for unknown fds and from inside callbacks; pending events of a
  // removed fd are not delivered.
  void remove_fd(int fd);

  // One-shot timer; returns an id for cancel_timer. Ids are never reused.
  TimerId add_timer(Duration delay, TimerCallback callback);
  // Repeats every interval until cancelled (next deadline from the previous
  // deadline, so it does not drift).
  TimerId add_periodic(Duration interval, TimerCallback callback);
  void cancel_timer(TimerId id);

  // Delivers the signal through signalfd on the loop thread. Blocks it in the
  // calling thread: call before starting other threads so they inherit that.
  Status on_signal(int signal_number, SignalCallback callback);

  // Thread-safe: runs fn on the loop thread soon.
  void post(std::function<void()> fn);
  // Thread-safe: makes run() return after the current iteration.
  void stop();

  // Runs until stop().
  void run();
  // Runs until stop() or until `limit` has passed; true if stopped.
  bool run_for(Duration limit);
  // One iteration: waits at most `max_wait` for events, then runs what is due.
  void run_once(Duration max_wait);

  size_t fd_count() const { return fds_.size(); }
  size_t timer_count() const { return timers_.size(); }

 private:
  struct FdEntry {
    uint32_t generation;
    std::shared_ptr<FdCallback> callback;
  };
  struct Timer {
    TimerCallback callback;
    Duration interval;  // zero for one-shot
  };

  void run_due_timers();
  void drain_posted();
  void handle_signals();
  int wait_timeout_ms(Duration max_wait) const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;    // eventfd for post()/stop()
  int signal_fd_ = -1;  // signalfd, created on first on_signal
  uint32_t next_generation_ = 1;
  std::unordered_map<int, FdEntry> fds_;
  std::map<std::pair<TimePoint, TimerId>, Timer> timers_;
  std::unordered_map<TimerId, TimePoint> timer_deadlines_;
  TimerId next_timer_id_ = 1;
  std::unordered_map<int, SignalCallback> signal_callbacks_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by posted_mutex_
};

}  // namespace picortc
