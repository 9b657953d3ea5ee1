// replica::Node — the local network's single-node subnet: canisters, the management canister, message
// execution in rounds, certified state signed with the node's BLS key, and durable state on disk.
#pragma once

// The HTTP layer (src/replica/http) validates envelopes and signatures and then talks only to this
// interface. Threading: every public method is thread-safe. Updates execute on the node's round
// thread; a round takes all queued messages, executes them (and the inter-canister messages they
// cause) within the round's budget, then certifies and commits the round to disk with one fsync, and
// only then makes its certified state visible (so a returned certificate is always durable).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ic/bytes.h"
#include "ic/hash_tree.h"
#include "ic/principal.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace replica {

class WasmRuntime;  // runtime.h

using Cycles = unsigned __int128;

// Instruction limits and sizes, mainnet defaults (ic-protocol.md §6.3, anchors C1/C2); tests set small ones.
struct Limits {
  uint64_t update_instructions = 40'000'000'000ull;   // also heartbeat, timer, callbacks
  uint64_t query_instructions = 5'000'000'000ull;
  uint64_t install_instructions = 300'000'000'000ull;
  uint64_t inspect_instructions = 200'000'000ull;
  uint64_t round_instructions = 7'000'000'000ull;      // a round stops taking new messages past this
  uint64_t max_ingress_bytes = 2ull << 20;             // ingress payload (arg) limit
  uint64_t max_request_bytes = 10ull << 20;            // same-subnet inter-canister request
  uint64_t max_response_bytes = 2ull << 20;
  uint64_t max_query_response_bytes = 3ull << 20;
  uint64_t ingress_ttl_ns = 5ull * 60 * 1'000'000'000;  // MAX_INGRESS_TTL; request_status kept this long
  uint32_t max_canister_queue = 500;                    // per canister pair
};

struct NodeConfig {
  std::filesystem::path state_dir;        // keys, canisters, ingress history; created if missing
  Limits limits;
  Cycles default_provisional_cycles = Cycles(100'000'000'000'000ull);  // 100 T, as dfx/PocketIC
  bool test_admin = false;                // allow set_controllers() (hubctl local set-controllers)
  // Round pacing: a round starts as soon as there is work, but not sooner than this after the previous
  // one (batches concurrent ingress into one fsync); timers/heartbeat rounds run at least this often.
  std::chrono::milliseconds min_round_interval{0};
  std::chrono::milliseconds idle_round_interval{500};
  std::function<uint64_t()> clock;        // ns since epoch; default: system clock (tests inject one)
  bool fsync = true;
  // The wasm engine. Null: the real one (replica_exec, runtime.h exec_runtime()); unit tests inject a fake.
  std::shared_ptr<WasmRuntime> runtime;
};

// A call that passed envelope validation (signature, expiry window, sender, size limits).
struct IngressMessage {
  ic::Hash256 request_id{};
  ic::Principal sender;
  ic::Principal canister_id;              // may be the management canister
  ic::Principal effective_canister_id;    // from the URL, already checked against the content
  std::string method;
  ic::Bytes arg;
  uint64_t ingress_expiry = 0;
  ic::Bytes nonce;
};

// A reject before execution (non-replicated): HTTP answers 200 {status:"non_replicated_rejection", ...}
// for v3/v4 calls and a 200 CBOR reject for v2. error_code like "IC0301".
struct Reject {
  uint32_t code = 0;
  std::string message;
  std::string error_code;
};

struct QueryReply {
  bool replied = false;
  ic::Bytes reply;    // replied
  Reject reject;      // !replied
  uint64_t instructions = 0;
};

struct NodeStatus {
  std::string health = "healthy";        // replica_health_status
  uint64_t certified_height = 0;
  std::string impl_version;
};

class Node {
 public:
  // Opens (or initialises) state_dir: the node's BLS key and Ed25519 key are created once and kept,
  // so the root key is stable across restarts; every canister is restored as it was at the last
  // committed round. Starts the round thread.
  static ic::Result<std::unique_ptr<Node>> open(const NodeConfig& config);
  ~Node();  // stops the round thread after the round in progress has committed
  void shutdown();

  // Identity of this subnet/node. No delegation: the subnet is the root subnet, its key is the root key.
  const ic::Bytes& root_key_der() const;         // 133-byte DER of the BLS public key
  const ic::Principal& subnet_id() const;        // self-authenticating id of root_key_der()
  const ic::Principal& node_id() const;          // self-authenticating id of node_public_key_der()
  const ic::Bytes& node_public_key_der() const;  // Ed25519 DER (44 bytes)
  // Ed25519 signature by the node key (query response signatures, ic-protocol.md §1.6).
  ic::Bytes sign_as_node(ic::ByteView message) const;
  // The canister id ranges of the subnet (closed intervals), as certified under /canister_ranges.
  std::vector<std::pair<ic::Principal, ic::Principal>> canister_ranges() const;
  NodeStatus status() const;
  uint64_t now_ns() const;

  // Update calls. check_call runs the non-replicated checks (canister exists / has the method / is
  // running / not frozen, canister_inspect_message, management-canister method allowed from ingress)
  // and returns the reject to send. submit() enqueues (status "received"); a request id already known
  // and not yet expired is not executed twice (returns Ok). Errors only for a full ingress queue.
  std::optional<Reject> check_call(const IngressMessage& msg);
  ic::Status submit(IngressMessage msg);
  // Blocks until the request has a terminal status (replied/rejected/done) in a committed round, or
  // `timeout` passes. Returns a certificate (CBOR bytes) revealing /time and /request_status/<rid>
  // (nullopt on timeout: the HTTP layer then answers 202).
  std::optional<ic::Bytes> await_certificate(const ic::Hash256& request_id, std::chrono::milliseconds timeout);
  // Who sent a known request, for read_state access rules; nullopt when unknown or expired.
  struct RequestOrigin {
    ic::Principal sender;
    ic::Principal effective_canister_id;
  };
  std::optional<RequestOrigin> request_origin(const ic::Hash256& request_id) const;

  // Query calls (non-replicated) against the latest committed state, executed with the query limit.
  // Management canister queries (canister_status, ...) are served too.
  QueryReply query(const ic::Principal& sender, const ic::Principal& canister_id, const std::string& method,
                   ic::ByteView arg);

  // read_state: a certificate whose tree reveals exactly `paths` (plus /time) of the latest certified
  // state, signed by the node's BLS key. Path validity/access is checked by the caller.
  ic::Result<ic::Bytes> certify_paths(const std::vector<ic::Path>& paths);
  // Whether a canister exists (read_state access rules, effective canister id checks).
  bool canister_exists(const ic::Principal& id) const;
  // Controllers of a canister (icp:private metadata may be read only by them).
  std::optional<std::vector<ic::Principal>> controllers(const ic::Principal& id) const;
  // Whether /canister/<id>/metadata/<name> comes from an `icp:private` section (readable by controllers only).
  bool is_private_metadata(const ic::Principal& id, const std::string& name) const;

  // --test-admin only (Errc::unsupported otherwise): replace a canister's controllers, committed in
  // the next round (returns after it is durable).
  ic::Status set_controllers(const ic::Principal& canister, const std::vector<ic::Principal>& controllers);

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace replica
