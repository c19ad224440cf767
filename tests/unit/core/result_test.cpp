#include "core/result.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace picortc {
namespace {

constexpr std::string_view kErrTooSmall = "test: value too small";

Result<int> half_of_even(int value) {
  if (value < 2) return make_error(kErrTooSmall, "value " + std::to_string(value));
  return value / 2;
}

TEST(Result, ValueAndError) {
  auto good = half_of_even(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  auto bad = half_of_even(1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, kErrTooSmall);
  EXPECT_EQ(bad.error().message(), "test: value too small (value 1)");
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r);
  std::unique_ptr<int> taken = std::move(r).value();
  EXPECT_EQ(*taken, 7);
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status failed = make_error(kErrTooSmall);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "test: value too small");
}

}  // namespace
}  // namespace picortc
