#include "core/event_loop.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/log.hpp"

namespace picortc {
namespace {
constexpr uint64_t kWakeKey = UINT64_MAX;
constexpr uint64_t kSignalKey = UINT64_MAX - 1;

uint64_t make_key(int fd, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(fd);
}
}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    LOG_ERROR("loop", "epoll/eventfd: %s", std::strerror(errno));
    std::abort();  // nothing can run without them
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeKey;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  if (signal_fd_ >= 0) close(signal_fd_);
  close(wake_fd_);
  close(epoll_fd_);
}

Status EventLoop::add_fd(int fd, uint32_t events, FdCallback callback) {
  if (fd < 0) return make_error("loop: bad fd", std::to_string(fd));
  if (fds_.count(fd) != 0) return make_error("loop: fd already watched", std::to_string(fd));
  uint32_t generation = next_generation_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = make_key(fd, generation);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    return make_error("loop: epoll_ctl add failed", std::strerror(errno));
  }
  fds_[fd] = FdEntry{generation, std::make_shared<FdCallback>(std::move(callback))};
  return {};
}

Status EventLoop::modify_fd(int fd, uint32_t events) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return make_error("loop: fd not watched", std::to_string(fd));
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = make_key(fd, it->second.generation);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
    return make_error("loop: epoll_ctl mod failed", std::strerror(errno));
  }
  return {};
}

void EventLoop::remove_fd(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(it);
}

EventLoop::TimerId EventLoop::add_timer(Duration delay, TimerCallback callback) {
  TimerId id = next_timer_id_++;
  TimePoint deadline = Clock::now() + delay;
  timers_.emplace(std::make_pair(deadline, id), Timer{std::move(callback), Duration::zero()});
  timer_deadlines_[id] = deadline;
  return id;
}

EventLoop::TimerId EventLoop::add_periodic(Duration interval, TimerCallback callback) {
  if (interval <= Duration::zero()) interval = milliseconds(1);
  TimerId id = next_timer_id_++;
  TimePoint deadline = Clock::now() + interval;
  timers_.emplace(std::make_pair(deadline, id), Timer{std::move(callback), interval});
  timer_deadlines_[id] = deadline;
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_deadlines_.find(id);
  if (it == timer_deadlines_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_deadlines_.erase(it);
}

Status EventLoop::on_signal(int signal_number, SignalCallback callback) {
  signal_callbacks_[signal_number] = std::move(callback);
  sigset_t mask;
  sigemptyset(&mask);
  for (const auto& entry : signal_callbacks_)
    sigaddset(&mask, entry.first);
  if (pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) return make_error("loop: pthread_sigmask failed");
  int fd = signalfd(signal_fd_, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return make_error("loop: signalfd failed", std::strerror(errno));
  if (signal_fd_ < 0) {
    signal_fd_ = fd;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kSignalKey;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev);
  }
  return {};
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof one);
  (void)n;  // EAGAIN means a wake-up is already pending
}

void EventLoop::stop() {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    stop_requested_ = true;
  }
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof one);
  (void)n;
}

int EventLoop::wait_timeout_ms(Duration max_wait) const {
  Duration wait = max_wait;
  if (!timers_.empty()) {
    Duration until_timer = timers_.begin()->first.first - Clock::now();
    if (until_timer < wait) wait = until_timer;
  }
  if (wait <= Duration::zero()) return 0;
  // Round up so a timer is never woken for just before its deadline.
  auto ms = std::chrono::duration_cast<milliseconds>(wait + milliseconds(1) - std::chrono::nanoseconds(1));
  return static_cast<int>(ms.count());
}

void EventLoop::run_once(Duration max_wait) {
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_, events, 64, wait_timeout_ms(max_wait));
  if (n < 0 && errno != EINTR) LOG_ERROR("loop", "epoll_wait: %s", std::strerror(errno));
  for (int i = 0; i < n; ++i) {
    uint64_t key = events[i].data.u64;
    if (key == kWakeKey) {
      uint64_t value;
      ssize_t r = read(wake_fd_, &value, sizeof value);
      (void)r;
      continue;
    }
    if (key == kSignalKey) {
      handle_signals();
      continue;
    }
    int fd = static_cast<int>(key & 0xffffffffu);
    auto it = fds_.find(fd);
    // Removed (or removed and re-added) by an earlier callback of this batch.
    if (it == fds_.end() || it->second.generation != static_cast<uint32_t>(key >> 32)) continue;
    std::shared_ptr<FdCallback> callback = it->second.callback;  // survives remove_fd inside
    (*callback)(events[i].events);
  }
  run_due_timers();
  drain_posted();
}

void EventLoop::run_due_timers() {
  TimePoint now = Clock::now();
  // Bounded: timers added by callbacks for "now" run on the next iteration.
  size_t budget = timers_.size();
  while (budget-- > 0 && !timers_.empty() && timers_.begin()->first.first <= now) {
    auto it = timers_.begin();
    TimePoint deadline = it->first.first;
    TimerId id = it->first.second;
    Timer timer = std::move(it->second);
    timers_.erase(it);
    if (timer.interval > Duration::zero()) {
      TimePoint next = deadline + timer.interval;
      if (next <= now) next = now + timer.interval;  // fell behind: skip, do not burst
      timers_.emplace(std::make_pair(next, id), Timer{timer.callback, timer.interval});
      timer_deadlines_[id] = next;
    } else {
      timer_deadlines_.erase(id);
    }
    timer.callback();
  }
}

void EventLoop::drain_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch)
    fn();
}

void EventLoop::handle_signals() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    auto it = signal_callbacks_.find(static_cast<int>(info.ssi_signo));
    if (it != signal_callbacks_.end()) it->second(static_cast<int>(info.ssi_signo));
  }
}

void EventLoop::run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(posted_mutex_);
      if (stop_requested_) {
        stop_requested_ = false;
        return;
      }
    }
    run_once(seconds(1));
  }
}

bool EventLoop::run_for(Duration limit) {
  TimePoint end = Clock::now() + limit;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(posted_mutex_);
      if (stop_requested_) {
        stop_requested_ = false;
        return true;
      }
    }
    TimePoint now = Clock::now();
    if (now >= end) return false;
    run_once(end - now);
  }
}

}  // namespace picortc
