// Request building (interface spec "HTTPS interface", ic-protocol.md §1.2–1.3): the `content` map of call,
// query and read_state requests, ingress expiry, and the signed CBOR envelope posted to the replica.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/identity.h"
#include "ic/bytes.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"
#include "ic/principal.h"
#include "ic/request_id.h"
#include "ic/result.h"

namespace agent {

constexpr uint64_t kNanosPerSecond = 1'000'000'000ull;
// agent-rs's default time-to-live; the replica admits up to 5 min (MAX_INGRESS_TTL) plus 30 s drift.
constexpr uint64_t kDefaultIngressTtlNs = 3 * 60 * kNanosPerSecond;

// now + ttl, rounded down to the whole second, or to the whole minute when ttl > 90 s (agent-rs does the
// same: boundary nodes cache identical queries better, and the 1-minute loss stays within the 5-minute window).
uint64_t ingress_expiry(uint64_t now_ns, uint64_t ttl_ns = kDefaultIngressTtlNs);

enum class RequestType { Call, Query, ReadState };
const char* request_type_name(RequestType t);

// `content` of a call or query (§1.3). `nonce` is included only when given (≤ 32 bytes).
ic::cbor::Value call_content(RequestType type, const ic::Principal& sender, const ic::Principal& canister,
                             std::string_view method, ic::ByteView arg, uint64_t expiry_ns,
                             std::optional<ic::Bytes> nonce = std::nullopt);
ic::cbor::Value read_state_content(const ic::Principal& sender, const std::vector<ic::Path>& paths, uint64_t expiry_ns);

struct SignedRequest {
  ic::cbor::Value content;
  ic::Hash256 request_id{};
  ic::Bytes body;  // d9d9f7 · {content, ?sender_pubkey, ?sender_sig}
  uint64_t expiry_ns = 0;
};

// Hashes `content` (its request id), signs "\x0Aic-request" · id with `identity` and wraps it all in the
// envelope (§1.2). The anonymous identity sends neither key nor signature. The identity must be the sender.
ic::Result<SignedRequest> sign_request(const Identity& identity, ic::cbor::Value content);

// The fields of a decoded envelope, for tools that inspect or re-submit one (e.g. `--dump-envelope` files).
struct Envelope {
  ic::cbor::Value content;
  std::optional<ic::Bytes> sender_pubkey, sender_sig;
};
ic::Result<Envelope> decode_envelope(ic::ByteView body);

}  // namespace agent
