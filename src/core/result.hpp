#pragma once
// Result<T>: a value or an Error, for code that must not throw (parsers of
// network bytes, anything on the media path). Control-plane code may use it
// too; API misuse asserts.
#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace picortc {

// An error names what went wrong (`code`, a static string such as
// "rtp: header shorter than 12 bytes") and may carry the values that failed
// (`detail`). Compare errors by code in tests.
struct Error {
  std::string_view code;
  std::string detail;

  std::string message() const {
    std::string out(code);
    if (!detail.empty()) {
      out += " (";
      out += detail;
      out += ')';
    }
    return out;
  }
};

inline Error make_error(std::string_view code, std::string detail = {}) {
  return Error{code, std::move(detail)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace picortc
