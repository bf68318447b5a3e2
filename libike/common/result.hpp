// Errors are values (STYLE.md §9): Result<T, E> holds a T or an E.
//   Result<Bytes> r = decrypt(...);
//   if (!r) return fail(r.error());
// A failure is made with fail(error). Result<void, E> carries no value.
#pragma once
#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace ike {

// The generic error: one human-readable line, no secrets in it.
struct Error {
  std::string message;
};

template <typename E>
struct Failure {
  E error;
};

template <typename E>
Failure<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}
inline Failure<Error> fail(std::string message) { return {Error{std::move(message)}}; }
inline Failure<Error> fail(const char* message) { return {Error{message}}; }

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <typename U>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::decay_t<U>, Result>) &&
             (!std::is_same_v<std::decay_t<U>, T>)
  Result(U&& value) : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}
  template <typename F>
    requires std::is_constructible_v<E, F&&>
  Result(Failure<F> f) : v_(std::in_place_index<1>, E(std::move(f.error))) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { assert(!ok()); return std::get<1>(v_); }
  E& error() { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename F>
    requires std::is_constructible_v<E, F&&>
  Result(Failure<F> f) : e_(E(std::move(f.error))) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const E& error() const { assert(!ok()); return *e_; }

 private:
  std::optional<E> e_;
};

using Status = Result<void, Error>;

}  // namespace ike
