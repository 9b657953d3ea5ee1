// replica::node internals shared by node.cpp (rounds, certification, persistence), execution.cpp
// (messages, call contexts, cycles) and management.cpp (aaaaa-aa). Not a public header.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <variant>

#include "bls/bls.h"
#include "ic/crypto/keys.h"
#include "replica/node/fees.h"
#include "replica/node/node.h"
#include "replica/node/persistence.h"
#include "replica/node/runtime.h"
#include "replica/node/state_tree.h"

namespace replica {

using ic::Bytes;
using ic::Principal;

// The subnet's canister id range (README.md): indices [kFirstIndex, kLastIndex], ids `index · 01 01`.
constexpr uint64_t kFirstIndex = 0;
constexpr uint64_t kLastIndex = 0xFFFFF;

enum class CanisterStatus : uint8_t { Running = 1, Stopping = 2, Stopped = 3 };

struct Settings {
  std::vector<Principal> controllers;
  uint64_t compute_allocation = 0;
  uint64_t memory_allocation = 0;
  uint64_t freezing_threshold = 2'592'000;  // 30 days
  Cycles reserved_cycles_limit = Cycles(5'000'000'000'000ull);
  uint64_t wasm_memory_limit = 0;
  uint64_t wasm_memory_threshold = 0;
  uint8_t log_visibility = 0;  // 0 controllers, 1 public, 2 allowed_viewers
  std::vector<Principal> log_viewers;
};

// Where the response to a call goes.
struct Origin {
  enum Kind : uint8_t { Ingress = 0, Canister = 1, System = 2 } kind = System;
  ic::Hash256 request_id{};  // Ingress
  Principal canister;        // Canister: the calling canister
  uint64_t callback = 0;     // Canister: the callback id at the caller
};

struct Request {
  Principal sender, receiver;
  std::string method;
  Bytes arg;
  Cycles cycles = 0;
  Origin origin;
};

struct Response {
  Principal receiver;  // the calling canister
  uint64_t callback = 0;
  bool replied = false;
  Bytes payload;
  Reject reject;
  Cycles refund = 0;
};

using Message = std::variant<Request, Response>;

struct CallContext {
  Principal canister;
  Origin origin;
  Principal caller;      // msg_caller for the callbacks of this context
  Cycles available = 0;  // attached, not accepted
  bool responded = false;
  uint32_t outstanding = 0;  // callbacks waiting
};

struct CallbackRec {
  Principal owner;
  uint64_t context = 0;
  exec::Callback on_reply, on_reject;
  std::optional<exec::Callback> on_cleanup;
};

struct Canister {
  Principal id;
  Settings settings;
  CanisterStatus status = CanisterStatus::Running;
  Cycles cycles = 0;
  std::shared_ptr<const ModuleInfo> module;  // null: empty canister
  Bytes wasm;
  std::unique_ptr<WasmInstance> instance;
  Bytes certified_data;
  uint64_t global_timer = 0;
  uint64_t version = 0;
  uint64_t created_ns = 0, installed_ns = 0;
  uint64_t storage_charged_ns = 0;
  std::map<ic::Hash256, Bytes> chunks;
  std::vector<Origin> stop_waiters;  // stop_canister calls answered once stopped
  std::deque<Message> queue;
  // What the round must persist/certify.
  bool meta_dirty = true, wasm_dirty = false, chunks_dirty = false, memory_replaced = false;
  bool queue_on_disk = false;
  Bytes saved_globals;

  uint64_t memory_bytes() const {
    uint64_t n = wasm.size();
    if (instance) n += instance->heap_bytes() + instance->stable_bytes();
    for (const auto& [h, c] : chunks) n += c.size();
    return std::max<uint64_t>(n, settings.memory_allocation);
  }
  Cycles freezing_reserve() const {
    return fees::freezing_reserve(memory_bytes(), settings.compute_allocation, settings.freezing_threshold);
  }
  bool is_controller(const Principal& p) const {
    for (const auto& c : settings.controllers)
      if (c == p) return true;
    return false;
  }
};

struct IngressEntry {
  Principal sender, effective_canister_id, canister;
  std::string status;  // received, processing, replied, rejected, done
  Bytes reply;
  Reject reject;
  uint64_t expiry = 0;  // status becomes done after it, and the entry is dropped one TTL later
  bool dirty = true;
};

struct Published {
  TreeSnapshot tree;
  bls::Signature signature{};
  uint64_t time = 0;
  uint64_t height = 0;
};

struct Node::Impl {
  NodeConfig cfg;
  std::shared_ptr<WasmRuntime> rt;
  std::unique_ptr<Persistence> persistence;
  std::optional<bls::SecretKey> bls_sk;
  Bytes root_der;
  Principal subnet;
  std::optional<ic::crypto::PrivateKey> node_key;
  Bytes node_der;
  Principal node_id;
  Bytes seed;

  // ---- round-thread state, guarded by exec_mu (queries take it too: instances are single-threaded)
  mutable std::mutex exec_mu;
  std::map<Principal, Canister> canisters;
  std::map<uint64_t, CallContext> contexts;
  std::map<uint64_t, CallbackRec> callbacks;
  uint64_t next_context = 1, next_callback = 1;
  std::deque<Request> mgmt_queue;
  uint64_t next_index = kFirstIndex;
  std::set<uint64_t> retired;  // deleted or specified ids at or above next_index: never handed out
  std::map<ic::Hash256, IngressEntry> ingress;
  std::map<std::string, std::shared_ptr<const ModuleInfo>> module_cache;  // by hex hash
  StateTree tree;
  uint64_t round_time = 0;
  uint64_t height = 0;
  uint64_t rand_counter = 0;
  uint64_t round_instructions = 0;
  bool meta_dirty = true, inflight_dirty = false;
  std::vector<Principal> deleted;  // this round (persistence + tree)
  std::vector<ic::Hash256> ingress_dropped;
  // data_certificate cache for queries: (height, canister) -> certificate
  std::map<Principal, std::pair<uint64_t, Bytes>> data_cert_cache;

  // ---- shared with API threads, guarded by mu
  mutable std::mutex mu;
  std::condition_variable cv_work;  // round thread waits for work
  std::condition_variable cv_done;  // API threads wait for published rounds
  std::deque<IngressMessage> pending;
  std::set<ic::Hash256> pending_ids;
  std::shared_ptr<const Published> published;
  struct KnownRequest {
    RequestOrigin origin;
    bool terminal = false;
    uint64_t expiry = 0;
  };
  std::unordered_map<std::string, KnownRequest> known;  // by raw rid bytes; mirrors published history
  std::set<Principal> published_canisters;
  std::map<Principal, std::vector<Principal>> published_controllers;
  std::map<Principal, std::set<std::string>> published_private_metadata;
  bool stopping = false;
  std::thread thread;
  std::chrono::steady_clock::time_point last_round{};

  // node.cpp
  ic::Status init_keys();
  ic::Status load_state();
  void round_loop();
  void run_round();
  struct Changed {
    std::vector<ic::Hash256> ingress;
    std::vector<Principal> canisters;
  };
  Changed update_tree();
  ic::Status commit_round();
  void publish(const Changed& changed);
  void expire_ingress();
  Bytes data_certificate(const Principal& canister);
  struct AdminOp {
    std::function<ic::Status()> fn;
    ic::Status result;
    bool done = false;
  };
  std::vector<std::shared_ptr<AdminOp>> admin_queue, admin_running;
  bool more_work = false;
  uint64_t clock() const;
  Bytes certificate(const Published& p, std::vector<ic::Path> paths) const;
  ic::Bytes canister_meta_record(const Canister& c) const;

  // execution.cpp
  void induct(IngressMessage msg);
  bool schedule();  // executes queued messages within the budget; false when nothing is left
  bool has_queued() const;
  void execute_request(Canister& c, Request req);
  void execute_response(Canister& c, Response resp);
  void run_system_tasks();
  void execute_system(Canister& c, exec::EntryKind kind);
  void respond(const Origin& to, bool replied, Bytes payload, Reject reject, Cycles refund);
  void finish_execution(Canister& c, uint64_t ctx_id, exec::ExecResult& r, bool is_callback);
  void close_if_done(uint64_t ctx_id);
  void check_stopped(Canister& c);
  void charge(Canister& c, Cycles amount);
  void charge_storage();
  exec::Invocation base_invocation(const Canister& c, exec::EntryKind kind) const;
  Reject exec_reject(const Canister& c, const exec::ExecResult& r) const;
  void drop_call_contexts(Canister& c, const std::string& why);
  std::optional<Reject> check_frozen(const Canister& c, Cycles extra) const;
  void route(Request req);
  ic::Result<std::shared_ptr<const ModuleInfo>> compile(ic::ByteView wasm);

  // management.cpp
  void execute_management(Request req);
  std::optional<Reject> check_management_ingress(const IngressMessage& msg);
  QueryReply management_query(const Principal& sender, const std::string& method, ic::ByteView arg);
  Principal allocate_id();
  Canister& create_canister(const Principal& id, const Principal& creator, Cycles cycles, const Settings& s);
};

// Reject helpers (ic-protocol.md §1.5).
inline Reject make_reject(uint32_t code, std::string message, std::string error_code = {}) {
  return Reject{code, std::move(message), std::move(error_code)};
}
std::string cycles_text(Cycles c);
Bytes empty_candid();  // DIDL\0\0

}  // namespace replica
