// Declarative, typed entry points: a C++ function becomes a canister method whose argument is decoded and
// whose result is encoded as Candid, e.g.  std::string greet(std::string name) {...}  CDK_QUERY_FN(greet)
#pragma once

// Forms (use at namespace scope, after the function; the Candid method name is the function's name):
//   CDK_QUERY_FN(f)            canister_query f               R f(Args...)
//   CDK_COMPOSITE_QUERY_FN(f)  canister_composite_query f     R or cdk::Task<R> f(Args...)
//   CDK_UPDATE_FN(f)           canister_update f              R or cdk::Task<R> f(Args...)
//   CDK_INIT(f)                canister_init, after the kit   void f(Args...)  (install arguments)
//   CDK_POST_UPGRADE(f)        canister_post_upgrade          void f(Args...)  (upgrade arguments)
//   CDK_PRE_UPGRADE(f)         canister_pre_upgrade           void f()
//   CDK_INSPECT_MESSAGE(f)     canister_inspect_message       bool f(const std::string& method): true accepts
//   CDK_GLOBAL_TIMER(f)        canister_global_timer          void f()  (only in canisters that do not use
//                                                                       cdk/timer.h, which owns that export)
// R may be void (empty reply), one type, or std::tuple<...> for several results. An argument that does not
// decode traps with "<method>: cannot decode the argument as (<types>): <reason>".

#include <string>
#include <tuple>
#include <type_traits>

#include "cdk/candid.h"
#include "cdk/runtime.h"
#include "cdk/task.h"

namespace cdk::detail {

template <class F>
struct Signature;
template <class R, class... A>
struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
};

template <class Tuple>
struct ArgsText;
template <class... Ts>
struct ArgsText<std::tuple<Ts...>> {
  static std::string text() { return args_text<Ts...>(); }
};

template <class T>
struct IsTask : std::false_type {};
template <class T>
struct IsTask<Task<T>> : std::true_type {
  using Value = T;
};

template <class R>
ic::Bytes encode_result(const R& r) {
  if constexpr (requires { std::tuple_size<R>::value; }) {
    return std::apply([](const auto&... v) { return encode_args(v...); }, r);
  } else {
    return encode_args(r);
  }
}

template <class R>
void reply_result(const R& r) {
  reply(encode_result(r));
}
void reply_empty();

template <class T>
void reply_from_promise(PromiseBase& p) {
  auto& promise = static_cast<typename Task<T>::promise_type&>(p);
  if constexpr (std::is_void_v<T>) {
    reply_empty();
  } else {
    reply_result(*promise.value);
  }
}

// Decodes the message argument as the function's parameters, or traps naming the method and the types.
template <class Args>
Args decode_or_trap(const char* what) {
  Args args;
  std::string error;
  ic::Bytes bytes = arg_data();
  if (!decode_args(bytes, args, error))
    trap(std::string(what) + ": cannot decode the argument as " + ArgsText<Args>::text() + ": " + error);
  return args;
}

template <auto Fn, bool AllowTask>
void serve(const char* method) {
  using S = Signature<decltype(Fn)>;
  using R = typename S::Result;
  auto args = decode_or_trap<typename S::Args>(method);
  g_running = nullptr;
  if constexpr (std::is_void_v<R>) {
    std::apply(Fn, std::move(args));
    reply_empty();
  } else if constexpr (IsTask<R>::value) {
    static_assert(AllowTask, "a query cannot await calls: use an update or a composite query");
    using T = typename IsTask<R>::Value;
    R task = std::apply(Fn, std::move(args));
    if (task.done()) {
      if constexpr (std::is_void_v<T>) {
        reply_empty();
      } else {
        reply_result(task.take());
      }
    } else {
      task.promise().on_done = &reply_from_promise<T>;
      task.detach();
    }
  } else {
    reply_result(std::apply(Fn, std::move(args)));
  }
}

template <class R>
struct ResultText {
  static std::string text() {
    if constexpr (std::is_void_v<R>) {
      return "()";
    } else if constexpr (IsTask<R>::value) {
      return ResultText<typename IsTask<R>::Value>::text();
    } else if constexpr (requires { std::tuple_size<R>::value; }) {
      return ArgsText<R>::text();
    } else {
      return args_text<R>();
    }
  }
};

// "(nat64, text) -> (opt text)"
template <auto Fn>
std::string signature_text() {
  using S = Signature<decltype(Fn)>;
  return ArgsText<typename S::Args>::text() + " -> " + ResultText<typename S::Result>::text();
}

template <auto Fn>
void run_hook(const char* what) {
  using S = Signature<decltype(Fn)>;
  static_assert(std::is_void_v<typename S::Result>, "init and upgrade hooks return void");
  std::apply(Fn, decode_or_trap<typename S::Args>(what));
}

}  // namespace cdk::detail

#if CDK_NATIVE
#define CDK_SIGNATURE_(kind, fn)                                                                 \
  [[maybe_unused]] static ::cdk::detail::SignatureRegistrar cdk_signature_##kind##_##fn( \
      "canister_" #kind " " #fn, &::cdk::detail::signature_text<&fn>);
#else
#define CDK_SIGNATURE_(kind, fn)
#endif
#define CDK_METHOD_(kind, fn, allow_task) \
  CDK_SIGNATURE_(kind, fn)                \
  CDK_EXPORT("canister_" #kind " " #fn, cdk_##kind##_##fn) { ::cdk::detail::serve<&fn, allow_task>(#fn); }
#define CDK_QUERY_FN(fn) CDK_METHOD_(query, fn, false)
#define CDK_COMPOSITE_QUERY_FN(fn) CDK_METHOD_(composite_query, fn, true)
#define CDK_UPDATE_FN(fn) CDK_METHOD_(update, fn, true)

#define CDK_STAGE_HOOK_(stage, fn, what)                                                                \
  [[maybe_unused]] static ::cdk::detail::StageHook cdk_hook_##fn(                                      \
      ::cdk::detail::Stage::stage, [] { ::cdk::detail::run_hook<&fn>(what); }, false);
#define CDK_INIT(fn) CDK_STAGE_HOOK_(Init, fn, "canister_init")
#define CDK_POST_UPGRADE(fn) CDK_STAGE_HOOK_(PostUpgrade, fn, "canister_post_upgrade")
#define CDK_PRE_UPGRADE(fn) \
  [[maybe_unused]] static ::cdk::detail::StageHook cdk_hook_##fn(::cdk::detail::Stage::PreUpgrade, &fn, false);

#define CDK_INSPECT_MESSAGE(fn)                                \
  CDK_EXPORT("canister_inspect_message", cdk_inspect_message) { \
    if (fn(::cdk::method_name())) ::cdk::accept_message();     \
  }
#define CDK_GLOBAL_TIMER(fn) \
  CDK_EXPORT("canister_global_timer", cdk_canister_global_timer) { fn(); }
