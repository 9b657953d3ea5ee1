// The IC agent: sends signed call/query/read_state requests over a Transport, falls back across API
// versions, polls for results, and accepts nothing it has not verified (certificates, node signatures).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/bls_verifier.h"
#include "agent/certificate.h"
#include "agent/clock.h"
#include "agent/identity.h"
#include "agent/request.h"
#include "agent/transport.h"
#include "ic/cbor.h"
#include "ic/principal.h"

namespace agent {

// agent-rs's polling schedule: 0.5 s growing ×1.4 (with ±20 % jitter) up to 1 s between status reads;
// give up after `timeout` (the request may still execute: the error says so).
struct PollOptions {
  std::chrono::milliseconds initial{500};
  double multiplier = 1.4;
  std::chrono::milliseconds max{1'000};
  std::chrono::milliseconds timeout{5 * 60 * 1'000};
};

struct AgentOptions {
  std::string url;                          // e.g. https://icp-api.io; used when `transport` is empty
  std::shared_ptr<Transport> transport;
  TransportOptions transport_options;
  std::shared_ptr<Identity> identity;       // empty = anonymous
  ic::Bytes root_key;                       // DER; empty = mainnet_root_key()
  Clock clock;                              // empty = system clock
  Sleeper sleep;                            // empty = real sleep (polling)
  uint64_t ingress_ttl_ns = kDefaultIngressTtlNs;
  uint64_t max_certificate_age_ns = 5 * 60 * kNanosPerSecond;
  PollOptions poll;
  bool verify_query_signatures = true;
  BlsVerifier bls;                          // empty = default_bls_verifier()
  std::function<void(const std::string&)> log;  // fallbacks, retries, polling (stderr with -v)
};

// The outcome of a call or query. A reject is a normal outcome here (reject_to_error turns it into an
// error); `certified` tells a subnet-certified or node-signed answer from an unverified one (a
// non-replicated rejection, which a boundary node could forge).
struct Reply {
  bool rejected = false;
  ic::Bytes arg;
  uint64_t reject_code = 0;
  std::string reject_message, error_code;
  bool certified = false;
  ic::Hash256 request_id{};
  std::optional<uint64_t> time_ns;  // certificate time (calls) or signature timestamp (queries)
  int api_version = 0;              // the endpoint that answered: 2, 3 or 4
};
const char* reject_code_name(uint64_t code);  // SYS_FATAL, …, SYS_UNKNOWN
// Errc::rejected: "canister X rejected METHOD: reject code 5 (CANISTER_ERROR), IC0503: message".
ic::Error reject_to_error(const Reply& r, const std::string& what);

struct StatusInfo {
  ic::cbor::Value raw;  // the whole status map
  std::optional<ic::Bytes> root_key;
  std::string impl_version, replica_health_status;
  std::optional<uint64_t> certified_height;
};

struct CertifiedState {
  Certificate certificate;
  VerifiedCertificate info;
};

// One agent per thread: it remembers which API versions the replica speaks (not synchronized); only the
// node-key cache is shared safely.
class Agent {
 public:
  explicit Agent(AgentOptions opts);

  uint64_t now_ns() const { return clock_(); }
  const Identity& identity() const { return *opts_.identity; }
  const ic::Bytes& root_key() const { return opts_.root_key; }
  void set_root_key(ic::Bytes der) { opts_.root_key = std::move(der); }
  Transport& transport() { return *opts_.transport; }

  // GET /api/v2/status.
  ic::Result<StatusInfo> status();
  // The root key a (local, development) replica publishes in its status. Whether to trust it is the
  // caller's decision (DESIGN.md: implicit only for local networks, refused for mainnet).
  ic::Result<ic::Bytes> fetch_root_key();

  // Signs a call or query for `canister` without sending it (dry runs, envelope dumps).
  ic::Result<SignedRequest> sign_call(RequestType type, const ic::Principal& canister, std::string_view method,
                                      ic::ByteView arg);

  // Query (v3, falling back to v2 on 404); node signatures are verified against the subnet's node keys.
  ic::Result<Reply> query(const ic::Principal& canister, std::string_view method, ic::ByteView arg,
                          std::optional<ic::Principal> effective_canister = std::nullopt);
  // Update call (v4 → v3 → v2 on 404), then the certified outcome (polling if needed).
  ic::Result<Reply> call(const ic::Principal& canister, std::string_view method, ic::ByteView arg,
                         std::optional<ic::Principal> effective_canister = std::nullopt);
  ic::Result<Reply> submit(const ic::Principal& effective_canister, const SignedRequest& request);
  // Polls request_status until replied/rejected (certified), `done`, or the timeout.
  ic::Result<Reply> wait(const ic::Principal& effective_canister, const ic::Hash256& request_id, int api_version = 2);

  // Certified state reads (v3, falling back to v2 on 404), verified for the canister / subnet and fresh.
  ic::Result<CertifiedState> read_state(const ic::Principal& effective_canister, const std::vector<ic::Path>& paths);
  ic::Result<CertifiedState> read_subnet_state(const ic::Principal& subnet, const std::vector<ic::Path>& paths);
  ic::Result<RequestStatus> request_status(const ic::Principal& effective_canister, const ic::Hash256& request_id);

  // The subnet hosting `canister` and its nodes' Ed25519 keys (from a certified read of /subnet; cached).
  struct SubnetKeys {
    ic::Principal subnet;
    std::map<ic::Principal, ic::Bytes> node_keys;
  };
  ic::Result<SubnetKeys> subnet_keys_for(const ic::Principal& canister, bool refresh = false);

 private:
  ic::Result<CertifiedState> read_state_at(const std::string& kind, const ic::Principal& id,
                                           const std::vector<ic::Path>& paths, const Identity& signer,
                                           bool fresh = true);
  ic::Result<Reply> reply_from_status(const RequestStatus& s, const VerifiedCertificate& info, const ic::Hash256& rid,
                                      int version);
  ic::Status verify_query_response(const ic::Principal& ecid, const ic::Hash256& rid, const ic::cbor::Value& resp,
                                   const Reply& r);
  ic::Error http_error(const HttpResponse& resp, const std::string& what, const ic::Principal& ecid);
  ic::Error clock_skew_error(const std::string& replica_message, const ic::Principal& ecid);
  VerifyOptions verify_options() const;
  void log(const std::string& line) const;

  AgentOptions opts_;
  Clock clock_;
  std::mutex mu_;
  int call_version_ = 4, query_version_ = 3, read_state_version_ = 3, subnet_read_version_ = 3;
  std::map<ic::Principal, SubnetKeys> subnet_keys_;
  bool reading_replica_clock_ = false;
};

}  // namespace agent
