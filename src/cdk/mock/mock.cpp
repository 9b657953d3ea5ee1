// The native ic0 (cdk/mock/mock.h): System API functions backed by an in-process model of one canister,
// message executions on their own stacks (ucontext), and transactions that roll back on traps.
#include "cdk/mock/mock.h"

#include <ucontext.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CDK_ASAN_UNPOISON(p, n) __asan_unpoison_memory_region(p, n)
#else
#define CDK_ASAN_UNPOISON(p, n) ((void)0)
#endif

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "cdk/ic0.h"
#include "cdk/task.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"
#include "ic/leb128.h"

namespace cdk::mock {

const ic::Bytes Env::kEmptyArgs = {'D', 'I', 'D', 'L', 0, 0};

namespace {

// Execution contexts (ic-protocol.md §6.2 availability codes).
enum class Ctx { None, Init, PreUpgrade, PostUpgrade, Update, Query, Reply, Reject, Cleanup, Inspect, Timer };
const char* ctx_name(Ctx c) {
  static const char* const names[] = {"test code",  "canister_init",  "canister_pre_upgrade", "canister_post_upgrade",
                                      "an update",  "a query",        "a reply callback",     "a reject callback",
                                      "a cleanup callback", "canister_inspect_message", "canister_global_timer"};
  return names[static_cast<int>(c)];
}
constexpr unsigned bit(Ctx c) { return 1u << static_cast<int>(c); }
constexpr unsigned kAll = ~0u;
constexpr unsigned kArgData = bit(Ctx::Init) | bit(Ctx::PostUpgrade) | bit(Ctx::Update) | bit(Ctx::Query) |
                              bit(Ctx::Reply) | bit(Ctx::Inspect);
constexpr unsigned kRespond = bit(Ctx::Update) | bit(Ctx::Query) | bit(Ctx::Reply) | bit(Ctx::Reject);
constexpr unsigned kCallbacks = bit(Ctx::Reply) | bit(Ctx::Reject);
constexpr unsigned kCall = bit(Ctx::Update) | bit(Ctx::Reply) | bit(Ctx::Reject) | bit(Ctx::Timer);
constexpr unsigned kCyclesIn = bit(Ctx::Update) | bit(Ctx::Reply) | bit(Ctx::Reject) | bit(Ctx::Query);
constexpr unsigned kCertSet = bit(Ctx::None) | bit(Ctx::Init) | bit(Ctx::PreUpgrade) | bit(Ctx::PostUpgrade) |
                              bit(Ctx::Update) | bit(Ctx::Reply) | bit(Ctx::Reject) | bit(Ctx::Timer);
constexpr unsigned kTimerSet = kCertSet | bit(Ctx::Cleanup);

struct PendingCall {
  Call call;
  uintptr_t reply_fun = 0, reply_env = 0, reject_fun = 0, reject_env = 0, cleanup_fun = 0, cleanup_env = 0;
  bool delivered = false;  // a call to self that run() has started executing
};

struct Context {
  uint64_t id = 0;
  ic::Principal caller;
  Response response;
  uint32_t outstanding = 0;              // calls made and not yet answered
  std::optional<uint64_t> origin_call;   // this context executes a call the canister made to itself
  bool origin_answered = false;
  bool system = false;                   // timer or lifecycle: nobody waits for a response
  std::string trap_message;
};

struct Exec {
  Ctx ctx = Ctx::None;
  uint64_t context = 0;
  ic::Principal caller;
  ic::Bytes arg;
  std::string method;  // canister_inspect_message
  bool accepted = false;
  uint32_t reject_code = 0;
  std::string reject_message;
  Cycles available = 0, refunded = 0;
  bool responded = false;
  ic::Bytes reply_data;
  std::optional<Response> response;  // produced by this execution
  std::optional<PendingCall> building;
  std::vector<PendingCall> made;
  uint64_t instructions = 0;
  std::string trap_message;
};

// --- message executions on their own stack. A trap switches back to the caller's stack and never returns
// to the abandoned one, so no destructor runs there (the IC discards the whole execution instead).
ucontext_t g_main_ctx, g_fiber_ctx;
std::vector<char> g_stack(8 << 20);
std::function<void()> g_body;
bool g_on_fiber = false;
bool g_trapped = false;
std::string g_trap_message;

void trampoline() {
  try {
    g_body();
  } catch (const std::exception& e) {
    g_trapped = true;
    g_trap_message = std::string("native C++ exception escaped canister code: ") + e.what();
  } catch (...) {
    g_trapped = true;
    g_trap_message = "native C++ exception escaped canister code";
  }
  // Returning resumes g_main_ctx through uc_link.
}

// Runs body on the execution stack; returns false if it trapped (message in g_trap_message).
bool run_on_fiber(std::function<void()> body) {
  if (g_on_fiber) throw std::logic_error("cdk::mock: a message execution started inside another one");
  g_body = std::move(body);
  g_trapped = false;
  // A trapped execution abandoned its frames on this stack; under ASan their redzones are still poisoned.
  CDK_ASAN_UNPOISON(g_stack.data(), g_stack.size());
  g_trap_message.clear();
  getcontext(&g_fiber_ctx);
  g_fiber_ctx.uc_stack.ss_sp = g_stack.data();
  g_fiber_ctx.uc_stack.ss_size = g_stack.size();
  g_fiber_ctx.uc_link = &g_main_ctx;
  makecontext(&g_fiber_ctx, trampoline, 0);
  g_on_fiber = true;
  swapcontext(&g_main_ctx, &g_fiber_ctx);
  g_on_fiber = false;
  g_body = nullptr;
  return !g_trapped;
}

[[noreturn]] void raise_trap(const std::string& message) {
  if (g_on_fiber) {
    g_trapped = true;
    g_trap_message = message;
    g_on_fiber = false;
    setcontext(&g_main_ctx);
  }
  throw Trapped(message);
}

Env* g_env = nullptr;

// Frees during a message execution are deferred: if the execution traps, everything it changed is put back
// (cdk::Heap cells, coroutine frames) and may point to memory the execution freed, which must still exist.
// After a commit the deferred blocks are freed; after a rollback they are leaked.
bool g_defer_frees = false;
void** g_deferred = nullptr;
size_t g_deferred_count = 0, g_deferred_capacity = 0;

void end_deferring(bool free_them) {
  g_defer_frees = false;
  if (free_them)
    for (size_t i = 0; i < g_deferred_count; ++i) std::free(g_deferred[i]);
  g_deferred_count = 0;
}

}  // namespace

struct Env::Impl {
  Exec exec;
  std::map<uint64_t, Context> contexts;
  std::map<uint64_t, PendingCall> pending;
  uint64_t next_context = 1, next_call = 1;
  std::vector<std::tuple<ic::Principal, std::string, std::function<Answer(const Call&)>>> responders;

  // Transaction: what a trap (or the end of a query) puts back.
  bool journaling = false;
  std::map<uint64_t, ic::Bytes> journal;  // 4 KiB block index -> original bytes
  size_t saved_stable_size = 0;
  ic::Bytes saved_certified;
  uint64_t saved_timer = 0;
  Cycles saved_balance = 0;

  static constexpr uint64_t kBlock = 4096;
  static constexpr uint64_t kMaxStablePages = uint64_t{1} << 20;  // 64 GiB: grow fails beyond (vector-backed)

  // Access for the ic0 functions below (Impl is a friend of Env).
  static bool controller(Env& e, const ic::Principal& p) {
    return std::find(e.controllers_.begin(), e.controllers_.end(), p) != e.controllers_.end();
  }
  static bool replicated_queries(Env& e) { return e.replicated_queries_; }
  static void set_certified(Env& e, ic::ByteView d) { e.certified_data_.assign(d.begin(), d.end()); }
  static void log(Env& e, std::string line) { e.log_.push_back(std::move(line)); }
  static uint64_t set_timer(Env& e, uint64_t t) { return std::exchange(e.global_timer_, t); }
  static int64_t grow(Env& e, uint64_t pages) {
    uint64_t old = e.stable_.size() / kWasmPage;
    if (pages > kMaxStablePages || old + pages > kMaxStablePages) return -1;
    e.stable_.resize((old + pages) * kWasmPage, 0);
    return static_cast<int64_t>(old);
  }
  static void stable_access(Env& e, bool write, uint64_t offset, uint8_t* p, uint64_t size) {
    if (offset > e.stable_.size() || size > e.stable_.size() - offset)
      raise_trap("ic0.stable64_" + std::string(write ? "write" : "read") + ": range [" + std::to_string(offset) +
                 ", +" + std::to_string(size) + ") is beyond the " + std::to_string(e.stable_.size()) +
                 " bytes of stable memory");
    if (write) {
      e.impl().touch(e, offset, size);
      std::memcpy(e.stable_.data() + offset, p, size);
    } else {
      std::memcpy(p, e.stable_.data() + offset, size);
    }
  }

  void begin(Env& e) {
    for (auto* c = detail::heap_cells(); c; c = c->next_cell) c->save();
    detail::frames_save();
    journaling = true;
    journal.clear();
    saved_stable_size = e.stable_.size();
    saved_certified = e.certified_data_;
    saved_timer = e.global_timer_;
    saved_balance = e.balance_;
    g_defer_frees = true;
  }
  void commit() {
    end_deferring(true);
    detail::frames_drop();
    for (auto* c = detail::heap_cells(); c; c = c->next_cell) c->drop();
    journaling = false;
    journal.clear();
  }
  void rollback(Env& e) {
    end_deferring(false);
    detail::frames_restore();
    for (auto* c = detail::heap_cells(); c; c = c->next_cell) c->restore();
    e.stable_.resize(saved_stable_size);
    for (auto& [block, bytes] : journal)
      if (block * kBlock < e.stable_.size()) std::memcpy(e.stable_.data() + block * kBlock, bytes.data(), bytes.size());
    journaling = false;
    journal.clear();
    e.certified_data_ = saved_certified;
    e.global_timer_ = saved_timer;
    e.balance_ = saved_balance;
  }
  void touch(Env& e, uint64_t offset, uint64_t size) {
    if (!journaling || size == 0) return;
    for (uint64_t b = offset / kBlock; b <= (offset + size - 1) / kBlock; ++b) {
      if (journal.count(b) || b * kBlock >= saved_stable_size) continue;
      uint64_t n = std::min<uint64_t>(kBlock, saved_stable_size - b * kBlock);
      journal.emplace(b, ic::Bytes(e.stable_.begin() + b * kBlock, e.stable_.begin() + b * kBlock + n));
    }
  }

  // Runs one execution as a transaction; commits its calls and response unless it trapped or `discard`.
  bool execute(Env& e, Exec ex, detail::EntryFn fn, bool discard = false, void (*callback)(uintptr_t) = nullptr,
               uintptr_t env = 0) {
    begin(e);
    exec = std::move(ex);
    if (exec.context && contexts.count(exec.context))
      exec.responded = contexts[exec.context].response.status != Status::Pending;
    ++e.executions_;
    detail::g_running = nullptr;
    bool ok = run_on_fiber([&] {
      if (callback) callback(env);
      else fn();
    });
    detail::g_running = nullptr;
    if (!ok) exec.trap_message = g_trap_message;
    if (!ok || discard) {
      rollback(e);
    } else {
      commit();
      Context* c = exec.context ? &contexts[exec.context] : nullptr;
      for (PendingCall& pc : exec.made) {
        pc.call.id = next_call++;
        pending.emplace(pc.call.id, std::move(pc));
        if (c) ++c->outstanding;
      }
      if (c && exec.response && c->response.status == Status::Pending) {
        uint64_t id = c->response.id;
        c->response = *exec.response;
        c->response.id = id;
      }
    }
    return ok;
  }

  // After an execution in context `id`: a context with no response and nothing outstanding is rejected.
  void settle(uint64_t id, bool ok, const std::string& trap_message) {
    Context& c = contexts[id];
    if (!ok) c.trap_message = trap_message;
    if (c.response.status != Status::Pending || c.outstanding > 0 || c.system) return;
    c.response.status = Status::Rejected;
    c.response.reject_code = 5;  // CANISTER_ERROR
    c.response.trapped = !c.trap_message.empty();
    c.response.reject_message = c.response.trapped ? "canister trapped: " + c.trap_message
                                                   : "canister did not reply to the call";
  }

  uint64_t new_context(const ic::Principal& caller, bool system = false) {
    Context c;
    c.id = next_context++;
    c.caller = caller;
    c.response.id = c.id;
    c.system = system;
    contexts.emplace(c.id, c);
    return c.id;
  }

  Response message(Env& e, Ctx kind, const std::string& method, ic::ByteView arg, const ic::Principal& caller,
                   Cycles cycles, std::optional<uint64_t> origin = std::nullopt) {
    const char* prefix = kind == Ctx::Query ? "canister_query " : "canister_update ";
    uint64_t id = new_context(caller);
    contexts[id].origin_call = origin;
    detail::EntryFn fn = detail::find_export(prefix + method);
    if (!fn) {
      Context& c = contexts[id];
      c.response.status = Status::Rejected;
      c.response.reject_code = 5;
      c.response.reject_message = "the canister has no " + std::string(kind == Ctx::Query ? "query" : "update") +
                                  " method '" + method + "'";
      return c.response;
    }
    Exec ex;
    ex.ctx = kind;
    ex.context = id;
    ex.caller = caller;
    ex.arg.assign(arg.begin(), arg.end());
    ex.available = cycles;
    bool ok = execute(e, std::move(ex), fn, kind == Ctx::Query);
    if (kind == Ctx::Query && ok && exec.response) {  // a query's state is discarded, its response is not
      Context& c = contexts[id];
      c.response = *exec.response;
      c.response.id = id;
    }
    settle(id, ok, exec.trap_message);
    return contexts[id].response;
  }

  void answer(Env& e, uint64_t call_id, const Answer& a) {
    auto it = pending.find(call_id);
    if (it == pending.end()) throw std::runtime_error("cdk::mock: no pending call " + std::to_string(call_id));
    PendingCall pc = std::move(it->second);
    pending.erase(it);
    Context& c = contexts[pc.call.context];
    Cycles refund = a.reply ? std::min(a.refund, pc.call.cycles) : pc.call.cycles;
    e.balance_ += refund;  // credited before the callback runs, whatever it does
    Exec ex;
    ex.ctx = a.reply ? Ctx::Reply : Ctx::Reject;
    ex.context = c.id;
    ex.caller = c.caller;
    ex.refunded = refund;
    if (a.reply) ex.arg = a.bytes;
    else ex.reject_code = a.code, ex.reject_message = a.message;
    auto fun = reinterpret_cast<void (*)(uintptr_t)>(a.reply ? pc.reply_fun : pc.reject_fun);
    bool ok = execute(e, std::move(ex), nullptr, false, fun, a.reply ? pc.reply_env : pc.reject_env);
    std::string trap_message = exec.trap_message;
    if (!ok && pc.cleanup_fun) {
      Exec cx;
      cx.ctx = Ctx::Cleanup;
      cx.context = c.id;
      cx.caller = c.caller;
      execute(e, std::move(cx), nullptr, false, reinterpret_cast<void (*)(uintptr_t)>(pc.cleanup_fun), pc.cleanup_env);
    }
    --contexts[pc.call.context].outstanding;
    settle(pc.call.context, ok, trap_message);
  }
};

namespace {
// Kit code may call ic0 before the test first touches env().
Env& E() { return g_env ? *g_env : env(); }
Exec& X() { return E().impl().exec; }

void require(unsigned allowed, const char* function) {
  Ctx c = X().ctx;
  ++X().instructions;
  if (!(allowed & bit(c))) raise_trap(std::string("ic0.") + function + " cannot be called in " + ctx_name(c));
}

void copy_out(const ic::Bytes& src, void* dst, uint32_t offset, uint32_t size, const char* function) {
  if (uint64_t{offset} + size > src.size())
    raise_trap(std::string("ic0.") + function + ": range [" + std::to_string(offset) + ", +" + std::to_string(size) +
               ") is outside the " + std::to_string(src.size()) + " bytes available");
  if (size) std::memcpy(dst, src.data() + offset, size);
}

void write_u128(void* dst, Cycles v) {
  uint8_t b[16];
  for (int i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  std::memcpy(dst, b, 16);
}

ic::Bytes principal_bytes(const ic::Principal& p) { return p.bytes(); }
}  // namespace



Env::Env() : impl_(new Impl) {}
Env::~Env() { delete impl_; }

Env& env() {
  static Env e;
  g_env = &e;
  return e;
}

Env& fresh() {
  Env& e = env();
  e.reset();
  return e;
}

void Env::reset() {
  delete impl_;
  impl_ = new Impl;
  g_env = this;
  self_ = ic::Principal::from_canister_index(0x2a);
  caller_ = ic::Principal::self_authenticating(ic::as_view(std::string_view("cdk mock default caller")));
  controllers_ = {caller_};
  time_ = 1767225600ull * 1000000000ull;  // 2026-01-01T00:00:00Z
  balance_ = static_cast<Cycles>(100) * 1000000000000ull;
  replicated_queries_ = false;
  global_timer_ = 0;
  stable_.clear();
  certified_data_.clear();
  log_.clear();
  executions_ = 0;
  for (auto* c = detail::heap_cells(); c; c = c->next_cell) c->reset();
  detail::g_running = nullptr;
}

Response Env::install(ic::ByteView arg) {
  Exec ex;
  ex.ctx = Ctx::Init;
  ex.caller = caller_;
  ex.arg.assign(arg.begin(), arg.end());
  ex.context = impl_->new_context(caller_, true);
  bool ok = impl_->execute(*this, std::move(ex), detail::find_export("canister_init"));
  Response r;
  r.status = ok ? Status::Replied : Status::Rejected;
  if (!ok) r.reject_code = 5, r.trapped = true, r.reject_message = "canister_init trapped: " + impl_->exec.trap_message;
  return r;
}

Response Env::upgrade(ic::ByteView arg) {
  // Outgoing calls still pending are dropped with their contexts' hopes of a reply.
  std::vector<uint64_t> dropped;
  for (auto& [id, pc] : impl_->pending) dropped.push_back(id);
  for (uint64_t id : dropped) {
    uint64_t ctx = impl_->pending[id].call.context;
    impl_->pending.erase(id);
    --impl_->contexts[ctx].outstanding;
    impl_->settle(ctx, true, "");
  }
  Impl& im = *impl_;
  im.begin(*this);
  executions_ += 2;
  std::string phase = "canister_pre_upgrade";
  im.exec = Exec{};
  im.exec.ctx = Ctx::PreUpgrade;
  im.exec.caller = caller_;
  bool ok = run_on_fiber([] { detail::find_export("canister_pre_upgrade")(); });
  if (ok) {
    for (auto* c = detail::heap_cells(); c; c = c->next_cell) c->reset();  // the new module's fresh heap
    global_timer_ = 0;  // the IC deactivates the global timer when the module changes
    phase = "canister_post_upgrade";
    im.exec = Exec{};
    im.exec.ctx = Ctx::PostUpgrade;
    im.exec.caller = caller_;
    im.exec.arg.assign(arg.begin(), arg.end());
    ok = run_on_fiber([] { detail::find_export("canister_post_upgrade")(); });
  }
  detail::g_running = nullptr;
  Response r;
  if (ok) {
    im.commit();
    r.status = Status::Replied;
  } else {
    im.rollback(*this);
    r.status = Status::Rejected;
    r.reject_code = 5;
    r.trapped = true;
    r.reject_message = phase + " trapped: " + g_trap_message;
  }
  return r;
}

Response Env::update_raw(const std::string& method, ic::ByteView arg, Cycles cycles) {
  return impl_->message(*this, Ctx::Update, method, arg, caller_, cycles);
}

Response Env::query_raw(const std::string& method, ic::ByteView arg) {
  return impl_->message(*this, Ctx::Query, method, arg, caller_, 0);
}

bool Env::inspect(const std::string& method, ic::ByteView arg) {
  detail::EntryFn fn = detail::find_export("canister_inspect_message");
  if (!fn) return true;  // without the export the IC accepts every ingress message
  Exec ex;
  ex.ctx = Ctx::Inspect;
  ex.caller = caller_;
  ex.method = method;
  ex.arg.assign(arg.begin(), arg.end());
  bool ok = impl_->execute(*this, std::move(ex), fn, true);
  return ok && impl_->exec.accepted;
}

Response Env::response(uint64_t id) const {
  auto it = impl_->contexts.find(id);
  if (it == impl_->contexts.end()) throw std::runtime_error("cdk::mock: no message " + std::to_string(id));
  return it->second.response;
}

std::vector<Call> Env::calls() const {
  std::vector<Call> out;
  for (auto& [id, pc] : impl_->pending)
    if (!pc.delivered) out.push_back(pc.call);
  return out;
}

Call Env::call(const std::string& method) const {
  for (auto& [id, pc] : impl_->pending)
    if (!pc.delivered && pc.call.method == method) return pc.call;
  throw std::runtime_error("cdk::mock: no pending call to " + method);
}

void Env::answer(uint64_t call_id, const Answer& a) { impl_->answer(*this, call_id, a); }

void Env::on_call(const ic::Principal& callee, const std::string& method, std::function<Answer(const Call&)> f) {
  impl_->responders.emplace_back(callee, method, std::move(f));
}

size_t Env::run() {
  Impl& im = *impl_;
  size_t steps = 0;
  for (bool progress = true; progress && steps < 1000000;) {
    progress = false;
    for (auto& [id, pc] : im.pending) {  // a call to ourselves: execute it as an update
      if (pc.delivered || pc.call.callee != self_) continue;
      pc.delivered = true;
      Call call = pc.call;
      im.message(*this, Ctx::Update, call.method, call.arg, self_, call.cycles, call.id);
      progress = true;
      break;
    }
    if (progress) {
      ++steps;
      continue;
    }
    for (auto& [id, c] : im.contexts) {  // its response goes back to the calling callback
      if (!c.origin_call || c.origin_answered || c.response.status == Status::Pending) continue;
      c.origin_answered = true;
      Answer a = c.response.status == Status::Replied ? Answer{true, c.response.reply, 0, {}, 0}
                                                      : Answer::reject(c.response.reject_code, c.response.reject_message);
      im.answer(*this, *c.origin_call, a);
      progress = true;
      break;
    }
    if (progress) {
      ++steps;
      continue;
    }
    for (auto& [id, pc] : im.pending) {  // scripted callees
      if (pc.delivered) continue;
      for (auto& [callee, method, f] : im.responders) {
        if (callee != pc.call.callee || (!method.empty() && method != pc.call.method)) continue;
        Answer a = f(pc.call);
        im.answer(*this, id, a);
        progress = true;
        break;
      }
      if (progress) break;
    }
    if (progress) ++steps;
  }
  return steps;
}

void Env::advance_time(uint64_t ns) {
  time_ += ns;
  for (int rounds = 0; rounds < 1000 && global_timer_ != 0 && time_ >= global_timer_; ++rounds) {
    global_timer_ = 0;  // a timer fires once, then stays off until set again
    detail::EntryFn fn = detail::find_export("canister_global_timer");
    if (!fn) break;
    Exec ex;
    ex.ctx = Ctx::Timer;
    ex.caller = ic::Principal::management();
    ex.context = impl_->new_context(ex.caller, true);
    uint64_t ctx = ex.context;
    bool ok = impl_->execute(*this, std::move(ex), fn);
    impl_->settle(ctx, ok, impl_->exec.trap_message);
    run();
  }
}

ic::Bytes Env::certificate() const {
  ic::Bytes time_leb;
  ic::write_uleb(time_leb, time_);
  std::vector<std::pair<ic::Path, ic::Bytes>> entries;
  entries.push_back({ic::Path{ic::to_bytes("canister"), self_.bytes(), ic::to_bytes("certified_data")}, certified_data_});
  entries.push_back({ic::Path{ic::to_bytes("time")}, time_leb});
  auto tree = ic::HashTree::build(std::move(entries));
  ic::cbor::Value cert = ic::cbor::Value::text_map(
      {{"tree", tree->to_cbor()}, {"signature", ic::cbor::Value::bytes(ic::Bytes(48, 0))}});
  return ic::cbor::encode_self_describe(cert);
}

}  // namespace cdk::mock

// Global allocation functions for the test program (see g_defer_frees). All forms use malloc/free, which
// GCC's -Wmismatched-new-delete cannot tell from a real mismatch inside the replacements themselves.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  using namespace cdk::mock;
  if (!p) return;
  if (!g_defer_frees) {
    std::free(p);
    return;
  }
  if (g_deferred_count == g_deferred_capacity) {
    size_t cap = g_deferred_capacity ? 2 * g_deferred_capacity : 1024;
    void** grown = static_cast<void**>(std::realloc(g_deferred, cap * sizeof(void*)));
    if (!grown) std::abort();
    g_deferred = grown;
    g_deferred_capacity = cap;
  }
  g_deferred[g_deferred_count++] = p;
}
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void* p, const std::nothrow_t&) noexcept { ::operator delete(p); }
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { ::operator delete(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// ---- the System API ----------------------------------------------------------------------------------
using namespace cdk::mock;

namespace ic0 {

uint32_t msg_arg_data_size() {
  require(kArgData, "msg_arg_data_size");
  return static_cast<uint32_t>(X().arg.size());
}
void msg_arg_data_copy(void* dst, uint32_t offset, uint32_t size) {
  require(kArgData, "msg_arg_data_copy");
  copy_out(X().arg, dst, offset, size, "msg_arg_data_copy");
}
uint32_t msg_caller_size() {
  require(kAll, "msg_caller_size");
  return static_cast<uint32_t>(X().ctx == Ctx::None ? E().caller().bytes().size() : X().caller.bytes().size());
}
void msg_caller_copy(void* dst, uint32_t offset, uint32_t size) {
  require(kAll, "msg_caller_copy");
  copy_out(principal_bytes(X().ctx == Ctx::None ? E().caller() : X().caller), dst, offset, size, "msg_caller_copy");
}
uint32_t msg_method_name_size() {
  require(bit(Ctx::Inspect), "msg_method_name_size");
  return static_cast<uint32_t>(X().method.size());
}
void msg_method_name_copy(void* dst, uint32_t offset, uint32_t size) {
  require(bit(Ctx::Inspect), "msg_method_name_copy");
  copy_out(ic::to_bytes(X().method), dst, offset, size, "msg_method_name_copy");
}
void accept_message() {
  require(bit(Ctx::Inspect), "accept_message");
  if (X().accepted) raise_trap("ic0.accept_message called twice");
  X().accepted = true;
}

void msg_reply_data_append(const void* src, uint32_t size) {
  require(kRespond, "msg_reply_data_append");
  if (X().responded) raise_trap("ic0.msg_reply_data_append: the call has already been replied to or rejected");
  auto* p = static_cast<const uint8_t*>(src);
  X().reply_data.insert(X().reply_data.end(), p, p + size);
}
void msg_reply() {
  require(kRespond, "msg_reply");
  if (X().responded) raise_trap("ic0.msg_reply: the call has already been replied to or rejected");
  X().responded = true;
  Response r;
  r.status = Status::Replied;
  r.reply = std::move(X().reply_data);
  X().response = r;
}
void msg_reject(const void* src, uint32_t size) {
  require(kRespond, "msg_reject");
  if (X().responded) raise_trap("ic0.msg_reject: the call has already been replied to or rejected");
  X().responded = true;
  Response r;
  r.status = Status::Rejected;
  r.reject_code = 4;  // CANISTER_REJECT
  r.reject_message.assign(static_cast<const char*>(src), size);
  X().response = r;
}
uint32_t msg_reject_code() {
  require(kCallbacks, "msg_reject_code");
  return X().ctx == Ctx::Reply ? 0 : X().reject_code;
}
uint32_t msg_reject_msg_size() {
  require(bit(Ctx::Reject), "msg_reject_msg_size");
  return static_cast<uint32_t>(X().reject_message.size());
}
void msg_reject_msg_copy(void* dst, uint32_t offset, uint32_t size) {
  require(bit(Ctx::Reject), "msg_reject_msg_copy");
  copy_out(ic::to_bytes(X().reject_message), dst, offset, size, "msg_reject_msg_copy");
}

void msg_cycles_available128(void* dst) {
  require(kCyclesIn, "msg_cycles_available128");
  write_u128(dst, X().available);
}
void msg_cycles_refunded128(void* dst) {
  require(kCallbacks, "msg_cycles_refunded128");
  write_u128(dst, X().refunded);
}
void msg_cycles_accept128(uint64_t max_high, uint64_t max_low, void* dst) {
  require(kCyclesIn & ~bit(Ctx::Query), "msg_cycles_accept128");
  cdk::Cycles max = (static_cast<cdk::Cycles>(max_high) << 64) | max_low;
  cdk::Cycles take = std::min(max, X().available);
  X().available -= take;
  E().set_balance(E().balance() + take);
  write_u128(dst, take);
}
void canister_cycle_balance128(void* dst) {
  require(kAll, "canister_cycle_balance128");
  write_u128(dst, E().balance());
}

uint32_t canister_self_size() {
  require(kAll, "canister_self_size");
  return static_cast<uint32_t>(E().self().bytes().size());
}
void canister_self_copy(void* dst, uint32_t offset, uint32_t size) {
  require(kAll, "canister_self_copy");
  copy_out(E().self().bytes(), dst, offset, size, "canister_self_copy");
}
uint32_t is_controller(const void* src, uint32_t size) {
  require(kAll, "is_controller");
  auto p = ic::Principal::from_bytes(ic::ByteView(static_cast<const uint8_t*>(src), size));
  if (!p.ok()) raise_trap("ic0.is_controller: not a principal");
  return Env::Impl::controller(E(), *p) ? 1 : 0;
}
uint32_t in_replicated_execution() {
  require(kAll, "in_replicated_execution");
  bool query = X().ctx == Ctx::Query || X().ctx == Ctx::Inspect;
  return query ? (Env::Impl::replicated_queries(E()) ? 1 : 0) : 1;
}

void call_new(const void* callee, uint32_t callee_size, const void* name, uint32_t name_size, uintptr_t reply_fun,
              uintptr_t reply_env, uintptr_t reject_fun, uintptr_t reject_env) {
  require(kCall, "call_new");
  auto p = ic::Principal::from_bytes(ic::ByteView(static_cast<const uint8_t*>(callee), callee_size));
  if (!p.ok()) raise_trap("ic0.call_new: callee is not a principal");
  PendingCall pc;
  pc.call.context = X().context;
  pc.call.callee = *p;
  pc.call.method.assign(static_cast<const char*>(name), name_size);
  pc.reply_fun = reply_fun, pc.reply_env = reply_env, pc.reject_fun = reject_fun, pc.reject_env = reject_env;
  X().building = std::move(pc);
}
void call_on_cleanup(uintptr_t fun, uintptr_t env) {
  require(kCall, "call_on_cleanup");
  if (!X().building) raise_trap("ic0.call_on_cleanup without call_new");
  X().building->cleanup_fun = fun, X().building->cleanup_env = env;
}
void call_data_append(const void* src, uint32_t size) {
  require(kCall, "call_data_append");
  if (!X().building) raise_trap("ic0.call_data_append without call_new");
  auto* p = static_cast<const uint8_t*>(src);
  X().building->call.arg.insert(X().building->call.arg.end(), p, p + size);
}
void call_cycles_add128(uint64_t high, uint64_t low) {
  require(kCall, "call_cycles_add128");
  if (!X().building) raise_trap("ic0.call_cycles_add128 without call_new");
  cdk::Cycles c = (static_cast<cdk::Cycles>(high) << 64) | low;
  if (c > E().balance()) raise_trap("ic0.call_cycles_add128: the canister has fewer cycles than it attaches");
  E().set_balance(E().balance() - c);
  X().building->call.cycles += c;
}
uint32_t call_perform() {
  require(kCall, "call_perform");
  if (!X().building) raise_trap("ic0.call_perform without call_new");
  X().made.push_back(std::move(*X().building));
  X().building.reset();
  return 0;
}

uint64_t stable64_size() {
  require(kAll, "stable64_size");
  return E().stable_pages();
}
int64_t stable64_grow(uint64_t new_pages) {
  require(kAll, "stable64_grow");
  return Env::Impl::grow(E(), new_pages);
}
void stable64_write(uint64_t offset, uint64_t src, uint64_t size) {
  require(kAll, "stable64_write");
  Env::Impl::stable_access(E(), true, offset, reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(src)), size);
}
void stable64_read(uint64_t dst, uint64_t offset, uint64_t size) {
  require(kAll, "stable64_read");
  Env::Impl::stable_access(E(), false, offset, reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(dst)), size);
}
uint64_t global_timer_set(uint64_t timestamp) {
  require(kTimerSet, "global_timer_set");
  return Env::Impl::set_timer(E(), timestamp);
}

void certified_data_set(const void* src, uint32_t size) {
  require(kCertSet, "certified_data_set");
  if (size > 32) raise_trap("ic0.certified_data_set: more than 32 bytes");
  Env::Impl::set_certified(E(), ic::ByteView(static_cast<const uint8_t*>(src), size));
}
uint32_t data_certificate_present() {
  require(kAll, "data_certificate_present");
  return X().ctx == Ctx::Query && !Env::Impl::replicated_queries(E()) ? 1 : 0;
}
uint32_t data_certificate_size() {
  if (!data_certificate_present()) raise_trap("ic0.data_certificate_size: no certificate in " + std::string(ctx_name(X().ctx)));
  return static_cast<uint32_t>(E().certificate().size());
}
void data_certificate_copy(void* dst, uint32_t offset, uint32_t size) {
  if (!data_certificate_present()) raise_trap("ic0.data_certificate_copy: no certificate in " + std::string(ctx_name(X().ctx)));
  copy_out(E().certificate(), dst, offset, size, "data_certificate_copy");
}

uint64_t time() {
  require(kAll, "time");
  return E().time();
}
uint64_t performance_counter(uint32_t type) {
  require(kAll, "performance_counter");
  return X().instructions * 1000;  // a stand-in: grows with the System API calls of the execution
}
void debug_print(const void* src, uint32_t size) {
  Env::Impl::log(E(), std::string(static_cast<const char*>(src), size));
}
void trap(const void* src, uint32_t size) { raise_trap(std::string(static_cast<const char*>(src), size)); }

}  // namespace ic0
