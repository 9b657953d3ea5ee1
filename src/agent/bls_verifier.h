// The one place the agent meets BLS12-381: a verifier of certificate signatures (48-byte G1 signature,
// message, 133-byte DER G2 public key), so certificate logic is testable with any verifier.
#pragma once

#include <functional>

#include "ic/bytes.h"
#include "ic/result.h"

namespace agent {

// Ok when `sig` is a valid BLS signature of `msg` under `der_key` (ic-protocol.md §4.4); Errc::crypto when it
// is not, Errc::decode when the signature or key is malformed.
using BlsVerifier = std::function<ic::Status(ic::ByteView sig, ic::ByteView msg, ic::ByteView der_key)>;

// src/bls (with its process-wide cache of validated keys) when hubctl is built with it; otherwise a verifier
// that fails every check with Errc::unsupported.
BlsVerifier default_bls_verifier();
bool bls_available();

}  // namespace agent
