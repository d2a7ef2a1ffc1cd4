#pragma once
// A value or an error, for failures that are expected (timeouts, HTTP errors, bad JSON) and so
// travel as values rather than exceptions (DESIGN.md §3). std::expected is C++23; this is the
// small subset the project uses.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace feedsync {

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& error) {
  return {std::forward<E>(error)};
}

template <class T, class E>
class Expected {
 public:
  // A default value, as std::expected has (asio's co_spawn needs it to hand results over).
  Expected() requires std::is_default_constructible_v<T> : state_(std::in_place_index<0>) {}
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  template <class G>
  Expected(Unexpected<G> error) : state_(std::in_place_index<1>, std::move(error.error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(state_); }
  const T& value() const& { assert(has_value()); return std::get<0>(state_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & { assert(!has_value()); return std::get<1>(state_); }
  const E& error() const& { assert(!has_value()); return std::get<1>(state_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, E> state_;
};

}  // namespace feedsync
