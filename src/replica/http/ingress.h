// Ingress decoding and validation for the local network's HTTP interface (ic-protocol.md §1.2–1.3, §2, §3.3,
// §4.5, §5.1): pure functions from request bytes to a checked request, or a 4xx status with a clear message.
#pragma once

// Nothing here knows the node: what validation needs from it (time, subnet, canister ranges, who sent a
// request, controllers) is passed in. So the unit tests and the fuzz target (tests/fuzz/fuzz_ingress.cpp)
// link this library alone (`replica_ingress`).

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ic/bytes.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"
#include "ic/principal.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace replica::ingress {

// A failed check: the HTTP status to answer (4xx) and the text body saying what is wrong.
struct Problem {
  int status = 400;
  std::string message;
};

// Value-or-Problem, the shape of every check below.
template <class T>
class Checked {
 public:
  Checked(T v) : value_(std::move(v)) {}
  Checked(Problem p) : problem_(std::move(p)) {}
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const Problem& problem() const { return problem_; }

 private:
  std::optional<T> value_;
  Problem problem_;
};
struct Ok {};
using Check = Checked<Ok>;

inline Problem bad_request(std::string m) { return Problem{400, std::move(m)}; }

// Limits of the HTTP handler (replica constants in dfinity/ic rs/limits; ic-protocol.md §1.3, §4.5, §6.3).
struct Limits {
  uint64_t max_ingress_bytes = 2ull << 20;          // method name + arg of a call (MAX_INGRESS_BYTES_PER_MESSAGE)
  uint64_t envelope_overhead_bytes = 512ull << 10;  // keys, signatures, up to 20 delegations with targets
  size_t max_cbor_depth = 16;                       // a valid envelope nests at most 8 levels
  size_t max_cbor_items = 300'000;                  // 1000 paths x 127 labels, 20 x 1000 targets
  uint64_t max_ingress_ttl_ns = 5ull * 60 * 1'000'000'000;  // MAX_INGRESS_TTL
  uint64_t permitted_drift_ns = 30ull * 1'000'000'000;      // PERMITTED_DRIFT_AT_VALIDATOR
  size_t max_delegations = 20;
  size_t max_delegation_targets = 1000;
  size_t max_paths = 1000;
  size_t max_path_labels = 127;
  size_t max_nonce_bytes = 32;

  uint64_t max_body_bytes() const { return max_ingress_bytes + envelope_overhead_bytes; }
};

// ---------------------------------------------------------------------------------------------------
// Routes (ic-protocol.md §1.1)

enum class Kind { Call, Query, ReadState };
const char* kind_name(Kind k);  // "call", "query", "read_state" (also the request_type values)

struct Route {
  int version = 2;           // 2, 3 or 4
  bool subnet = false;       // /api/vN/subnet/<sid>/… rather than /api/vN/canister/<ecid>/…
  Kind kind = Kind::Call;
  ic::Principal target;      // the effective canister id or subnet id of the URL
};

// Parses "/api/v<N>/canister/<ecid>/<call|query|read_state>" and the subnet form. Only the endpoints this
// node serves are recognised: v2/v3/v4 call, v2/v3 query, v2/v3 read_state (canister and subnet); anything
// else is 404; a malformed principal in a known endpoint is 400.
Checked<Route> parse_route(std::string_view path);

// ---------------------------------------------------------------------------------------------------
// Envelopes (§1.2)

struct Delegation {
  ic::Bytes pubkey;
  uint64_t expiration = 0;                               // ns since epoch
  std::optional<std::vector<ic::Principal>> targets;
  std::optional<std::string> permissions;                // "queries" | "all"
  ic::Bytes signature;
  ic::Hash256 hash{};                                    // hash_of_map(delegation): what `signature` signs
};

struct Envelope {
  ic::cbor::Value content;                  // a map (self-describe tag removed)
  std::optional<ic::Bytes> sender_pubkey;
  std::optional<ic::Bytes> sender_sig;
  std::optional<std::vector<Delegation>> sender_delegation;
};

// CBOR within the depth/size limits (both tagged and untagged top level), envelope shape and field types.
// Presence rules (pubkey/sig/delegation) are checked later, with the sender.
Checked<Envelope> decode_envelope(ic::ByteView body, const Limits& limits = {});

// ---------------------------------------------------------------------------------------------------
// Content (§1.3) and request id (§2)

struct Request {
  Kind kind = Kind::Call;
  ic::Hash256 request_id{};
  ic::Principal sender;
  uint64_t ingress_expiry = 0;
  std::optional<ic::Bytes> nonce;
  // call / query
  ic::Principal canister_id;
  std::string method;
  ic::Bytes arg;
  // read_state
  std::vector<ic::Path> paths;
  // From the envelope after verify_sender: the canisters the delegation chain allows (nullopt = any) and
  // whether it allows only queries/read_state (permissions "queries").
  std::optional<std::set<ic::Principal>> delegation_targets;
  bool queries_only = false;
};

// Field presence, types and sizes of `content` for the endpoint's kind; computes the request id.
Checked<Request> parse_content(const ic::cbor::Value& content, Kind endpoint, const Limits& limits = {});

// Signatures and sender (§1.2, §3.3): pubkey/sig/delegation presence, sender = self-authenticating id of
// sender_pubkey (or anonymous without any), every delegation's signature, expiration, chain length, no
// repeated key, targets and permissions, and sender_sig over "\x0Aic-request"·request id by the last key.
// Fills request.delegation_targets / queries_only.
Check verify_sender(const Envelope& env, Request& request, uint64_t now_ns, const Limits& limits = {});

// Ingress expiry window: now ≤ expiry ≤ now + MAX_INGRESS_TTL + drift. Anonymous queries and read_state
// requests may carry any expiry (spec 0.29). Failure: 400 "Invalid request expiry: …" with both times.
Check check_expiry(const Request& request, uint64_t now_ns, const Limits& limits = {});

// ---------------------------------------------------------------------------------------------------
// Effective canister id (§5.1)

using Ranges = std::vector<std::pair<ic::Principal, ic::Principal>>;
bool in_ranges(const Ranges& ranges, const ic::Principal& id);

// The canister a call/query is routed by: canister_id, or for aaaaa-aa the Candid arg's canister_id /
// target_canister field (nullopt for methods that may go anywhere: provisional_create_canister_with_cycles,
// create_canister, and the list_canisters query). A management arg without the field is a Problem.
Checked<std::optional<ic::Principal>> routing_canister(const Request& request);

// The URL's effective canister id must equal routing_canister(), lie in the node's ranges, and (for calls
// with delegation targets) be allowed by them.
Check check_effective_canister(const Request& request, const ic::Principal& url_ecid, const Ranges& ranges);

// ---------------------------------------------------------------------------------------------------
// read_state (§4.5)

// What the access rules need to know about the node's state.
struct StateAccess {
  ic::Principal subnet_id;
  // The sender and effective canister id of a known request (nullopt: unknown or expired).
  std::function<std::optional<std::pair<ic::Principal, ic::Principal>>(const ic::Hash256&)> request_origin;
  std::function<std::optional<std::vector<ic::Principal>>(const ic::Principal&)> controllers;
  std::function<bool(const ic::Principal&, const std::string&)> is_private_metadata;
};

// Paths allowed at this endpoint for this sender: at most 1000 paths of at most 127 labels; /time,
// /request_status/<rid>[/…] (one rid, sent by this sender to this ecid), /canister/<ecid>/{module_hash,
// controllers,metadata/<name>,…} (icp:private metadata only for controllers), /subnet[/…] (metrics only
// at the subnet endpoint), /canister_ranges/<sid> (subnet endpoint), /api_boundary_nodes.
Check check_read_state_paths(const Request& request, const Route& route, const StateAccess& access);

// ---------------------------------------------------------------------------------------------------
// Everything at once (what the server does before handing the request to the node).

struct NodeFacts {
  uint64_t now_ns = 0;
  ic::Principal subnet_id;
  Ranges ranges;
};

// Body size, envelope, content, request type vs endpoint, sender/signatures, expiry, effective canister id
// (call/query) or subnet id (subnet read_state). read_state paths are checked separately (they need the state).
Checked<Request> validate(ic::ByteView body, const Route& route, const NodeFacts& facts, const Limits& limits = {});

// "2025-01-02 03:04:05.123456789 UTC" for messages about times.
std::string format_time_ns(uint64_t ns);

}  // namespace replica::ingress
