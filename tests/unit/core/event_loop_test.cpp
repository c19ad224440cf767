#include "core/event_loop.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace picortc {
namespace {

TEST(EventLoop, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.add_timer(milliseconds(30), [&] { order.push_back(3); });
  loop.add_timer(milliseconds(10), [&] { order.push_back(1); });
  loop.add_timer(milliseconds(20), [&] { order.push_back(2); });
  loop.add_timer(milliseconds(40), [&] { loop.stop(); });
  EXPECT_TRUE(loop.run_for(seconds(5)));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(loop.timer_count(), 0u);
}

TEST(EventLoop, CancelledTimerDoesNotFire) {
  EventLoop loop;
  bool fired = false;
  auto id = loop.add_timer(milliseconds(5), [&] { fired = true; });
  loop.cancel_timer(id);
  loop.cancel_timer(id);  // twice is harmless
  loop.run_for(milliseconds(30));
  EXPECT_FALSE(fired);
}

TEST(EventLoop, PeriodicTimerRepeatsUntilCancelled) {
  EventLoop loop;
  int ticks = 0;
  EventLoop::TimerId id = 0;
  id = loop.add_periodic(milliseconds(2), [&] {
    if (++ticks == 5) {
      loop.cancel_timer(id);
      loop.stop();
    }
  });
  EXPECT_TRUE(loop.run_for(seconds(5)));
  EXPECT_EQ(ticks, 5);
}

TEST(EventLoop, FdCallbackAndRemovalInsideCallback) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds), 0);
  int reads = 0;
  ASSERT_TRUE(loop.add_fd(fds[0], EPOLLIN,
                          [&](uint32_t events) {
                            EXPECT_TRUE(events & EPOLLIN);
                            char buf[16];
                            while (read(fds[0], buf, sizeof buf) > 0)
                              ++reads;
                            loop.remove_fd(fds[0]);
                            loop.stop();
                          })
                  .ok());
  EXPECT_FALSE(loop.add_fd(fds[0], EPOLLIN, [](uint32_t) {}).ok());  // already watched
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  ASSERT_EQ(write(fds[1], "y", 1), 1);
  EXPECT_TRUE(loop.run_for(seconds(5)));
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(loop.fd_count(), 0u);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoop, PostFromAnotherThreadRunsOnLoop) {
  EventLoop loop;
  std::thread::id loop_thread = std::this_thread::get_id();
  std::thread::id ran_on;
  std::thread other([&] {
    loop.post([&] {
      ran_on = std::this_thread::get_id();
      loop.stop();
    });
  });
  EXPECT_TRUE(loop.run_for(seconds(5)));
  other.join();
  EXPECT_EQ(ran_on, loop_thread);
}

TEST(EventLoop, SignalDeliveredOnLoop) {
  EventLoop loop;
  int got = 0;
  ASSERT_TRUE(loop.on_signal(SIGUSR1,
                             [&](int signo) {
                               got = signo;
                               loop.stop();
                             })
                  .ok());
  loop.add_timer(milliseconds(1), [] { kill(getpid(), SIGUSR1); });
  EXPECT_TRUE(loop.run_for(seconds(5)));
  EXPECT_EQ(got, SIGUSR1);
}

TEST(EventLoop, RunForReturnsFalseWhenTimeRunsOut) {
  EventLoop loop;
  EXPECT_FALSE(loop.run_for(milliseconds(10)));
}

}  // namespace
}  // namespace picortc
