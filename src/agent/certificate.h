// Certificates (interface spec "Certification", ic-protocol.md §4): decoding, verification against the root
// key with delegations (flat and sharded canister ranges), freshness, and the certified state-tree lookups.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/bls_verifier.h"
#include "ic/bytes.h"
#include "ic/hash_tree.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace agent {

// ic-protocol.md §3.4: the mainnet root key (133-byte DER), trusted without asking.
const ic::Bytes& mainnet_root_key();
// A root key given in hex: the 133-byte DER form (266 hex digits) or the raw 96-byte G2 point (192).
ic::Result<ic::Bytes> parse_root_key_hex(std::string_view hex);

class Certificate {
 public:
  // The certificate's own CBOR (optionally tagged 55799): {tree, signature, ?delegation}.
  static ic::Result<Certificate> decode(ic::ByteView cbor);
  // A saved certificate: either the certificate itself or a read_state / v3 call response body
  // ({certificate: bytes, …}).
  static ic::Result<Certificate> from_saved(ic::ByteView bytes);

  const ic::HashTree& tree() const { return tree_; }
  const ic::Bytes& signature() const { return signature_; }
  // Delegation (§4.1): the subnet that signed, and the root-signed certificate vouching for its key.
  bool delegated() const { return delegation_cert_ != nullptr; }
  const ic::Principal& delegation_subnet() const { return delegation_subnet_; }
  const Certificate* delegation() const { return delegation_cert_.get(); }

  ic::Hash256 root_hash() const { return tree_.digest(); }
  // The CBOR bytes it was decoded from (kept as evidence: audits save what they verified).
  const ic::Bytes& raw() const { return raw_; }
  ic::LookupResult lookup(const ic::Path& path) const { return tree_.lookup_path(path); }
  // /time (LEB128 nanoseconds).
  ic::Result<uint64_t> time() const;

 private:
  ic::HashTree tree_;
  ic::Bytes signature_;
  ic::Bytes raw_;
  ic::Principal delegation_subnet_;
  std::shared_ptr<const Certificate> delegation_cert_;
};

struct VerifyOptions {
  ic::Bytes root_key;  // DER BLS key; empty = mainnet_root_key()
  // Scope (§4.3): the effective canister id must lie in the delegation's canister ranges, or the
  // certificate must come from this subnet. Neither: only signatures (and freshness) are checked.
  std::optional<ic::Principal> canister_id;
  std::optional<ic::Principal> subnet_id;
  // Freshness: when set, /time must be within max_age before `now_ns` and at most max_future after it.
  // Unset (auditing a saved certificate): no freshness check. Delegations are never checked for age (§4.3).
  std::optional<uint64_t> now_ns;
  uint64_t max_age_ns = 5 * 60 * 1'000'000'000ull;
  uint64_t max_future_ns = 5 * 60 * 1'000'000'000ull;
  BlsVerifier bls;  // empty = default_bls_verifier()
};

struct VerifiedCertificate {
  uint64_t time_ns = 0;
  ic::Principal subnet_id;    // the delegation's subnet, or the root subnet (SHA-224(root key) · 02)
  bool delegated = false;
  ic::Bytes signing_key;      // DER of the key that signed the tree
};

// The check that failed, by id: "decode", "delegation" (malformed, nested, or no key for the subnet),
// "delegation_signature", "signature", "canister_range" (canister outside the delegated ranges),
// "canister_ranges_pruned" (ranges not revealed), "subnet" (wrong subnet), "time" (no /time),
// "freshness" (too old or in the future).
struct CertificateCheck {
  bool ok = false;
  std::string failed_check;
  ic::Error error;
  VerifiedCertificate info;
};

CertificateCheck check_certificate(const Certificate& cert, const VerifyOptions& opts);
ic::Result<VerifiedCertificate> verify_certificate(const Certificate& cert, const VerifyOptions& opts);

// The canister ranges a delegation certifies for `subnet` (flat or, merged, every revealed shard).
struct CanisterRange {
  ic::Principal first, last;
};
ic::Result<std::vector<CanisterRange>> decode_canister_ranges(ic::ByteView cbor);

// --- Certified lookups (the certificate must have been verified) ---

// §4.5 request status. `status` is "received", "processing", "replied", "rejected", "done", or "unknown"
// (the path is Absent or pruned: not yet known to the subnet).
struct RequestStatus {
  std::string status = "unknown";
  ic::Bytes reply;
  uint64_t reject_code = 0;
  std::string reject_message, error_code;
};
ic::Result<RequestStatus> lookup_request_status(const Certificate& cert, const ic::Hash256& request_id);

// nullopt: provably absent (an empty canister has no module). Unknown (pruned): an error, never "absent".
ic::Result<std::optional<ic::Bytes>> lookup_module_hash(const Certificate& cert, const ic::Principal& canister);
// Sorted bytewise (the certified order is unspecified). Absent: Errc::not_found (no such canister).
ic::Result<std::vector<ic::Principal>> lookup_controllers(const Certificate& cert, const ic::Principal& canister);
ic::Result<std::optional<ic::Bytes>> lookup_metadata(const Certificate& cert, const ic::Principal& canister,
                                                     std::string_view name);
ic::Result<ic::Bytes> lookup_subnet_public_key(const Certificate& cert, const ic::Principal& subnet);
// /subnet/<sid>/node/<nid>/public_key for every revealed node.
ic::Result<std::map<ic::Principal, ic::Bytes>> lookup_node_keys(const Certificate& cert, const ic::Principal& subnet);

// A readable rendering of a tree (labels as text when printable, else hex; leaves likewise, long ones cut),
// for `hubctl certificate verify`.
std::string render_tree(const ic::HashTree& tree, size_t max_value_chars = 80);

}  // namespace agent
