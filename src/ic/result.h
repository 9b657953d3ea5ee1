// ic::Result<T> and ic::Error: value-or-error returns for every library, usable without exceptions
// (the same code compiles into wasm32 canisters, where exceptions are disabled).
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace ic {

// What kind of failure; cli/ maps these to exit codes (DESIGN.md "Exit codes").
enum class Errc {
  invalid_input,   // malformed text, bytes or arguments supplied by the user or a peer
  decode,          // a binary message (CBOR, Candid, DER, …) could not be decoded
  type_mismatch,   // a value does not fit the requested type
  limit,           // a size, depth or cost limit was exceeded
  not_found,       // a named thing does not exist
  io,              // file system
  network,         // transport
  crypto,          // a signature or certificate did not verify
  rejected,        // the remote side refused
  unsupported,     // valid but not supported by this implementation
  internal,        // a bug
};

const char* errc_name(Errc c);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // what failed, on which object
  std::string hint;     // what to do about it (may be empty)

  // "message (hint)" for logs and tests.
  std::string to_string() const;
  // Prefixes context, e.g. err.context("field `owner`"): "field `owner`: <message>".
  Error&& context(const std::string& where) &&;
};

inline Error make_error(Errc code, std::string message, std::string hint = {}) {
  return Error{code, std::move(message), std::move(hint)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : value_(v) {}
  Result(T&& v) : value_(std::move(v)) {}
  Result(Error e) : error_(std::move(e)) {}
  template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, Error> &&
                                              !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& v) : value_(T(std::forward<U>(v))) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  std::optional<T> value_;
  Error error_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : failed_(true), error_(std::move(e)) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  bool failed_ = false;
  Error error_;
};

using Status = Result<void>;

}  // namespace ic

// Propagate an error: IC_TRY(auto x, f()); declares x from a successful f(), else returns its error.
#define IC_CONCAT_INNER(a, b) a##b
#define IC_CONCAT(a, b) IC_CONCAT_INNER(a, b)
#define IC_TRY(decl, expr) IC_TRY_IMPL(IC_CONCAT(ic_try_tmp_, __LINE__), decl, expr)
#define IC_TRY_IMPL(tmp, decl, expr)            \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).take_error(); \
  decl = std::move(tmp).value()
// For Result<void>: IC_CHECK(f());
#define IC_CHECK(expr)                                          \
  do {                                                          \
    auto ic_check_tmp_ = (expr);                                \
    if (!ic_check_tmp_.ok()) return ic_check_tmp_.take_error(); \
  } while (0)
