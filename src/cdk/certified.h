// Certified data: set the 32 bytes the subnet certifies for this canister (typically the root hash of a
// labeled hash tree), and answer queries with the certificate plus the tree so clients can verify the data.
#pragma once

// Interface spec "Certified data": certified_data_set in updates (and init, upgrade, timers, callbacks);
// data_certificate_* only in non-replicated queries, where the certificate's tree contains
// /canister/<id>/certified_data and /time. A client checks the certificate's signature, then that the
// tree's root hash (ic::HashTree::digest) equals certified_data, then looks values up in the tree.

#include <optional>

#include "cdk/candid.h"
#include "ic/bytes.h"
#include "ic/hash_tree.h"

namespace cdk {

// Sets certified_data (at most 32 bytes; traps otherwise).
void set_certified_data(ic::ByteView data);
// Sets certified_data to the tree's root hash.
void certify(const ic::HashTree& tree);
// The certificate of this query, or nullopt in replicated execution (updates, replicated queries).
std::optional<ic::Bytes> data_certificate();

// What SPEC.md's get_certified_state returns: record { certificate : blob; tree : blob }. `tree` is the CBOR
// of the hash tree with the self-describe tag (55799), as agents expect.
struct CertifiedState {
  ic::Bytes certificate;
  ic::Bytes tree;
  friend bool operator==(const CertifiedState&, const CertifiedState&) = default;
};
CDK_RECORD(CertifiedState, certificate, tree)

// For a query method: the certificate and `tree` (which must be the tree last certified). Traps in
// replicated execution, where no certificate exists ("call it as a query").
CertifiedState certified_state(const ic::HashTree& tree);

}  // namespace cdk
