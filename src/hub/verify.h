// hub::verify — what is deployed is what was built: certified module hashes and controllers of hub, content,
// ledger and every shard against the wasm bundled in hubctl and the hub's embedded wasm; non-default constants.
#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "hub/audit.h"
#include "hub/source.h"
#include "hub/suite.h"

namespace hub {

// SPEC.md "Constants" defaults, by the hub's field names (intervals in seconds).
const std::map<std::string, ic::BigNat>& default_constants();

struct VerifyInput {
  std::map<std::string, ic::Bytes> bundled_sha256;  // "staking_hub", "learning_content", "icrc1_ledger", "user_profile"
  bool external_ledger = false;                     // deployed with --ledger: its hash is not ours to check
  ic::BigNat expect_cap = ic::BigNat(420'000'000'000'000'000ull);
  bool require_admin_less = false;
  size_t concurrency = 16;
};

// One check per line of `hubctl verify`; Status Fail = mismatch, Unknown = could not check, Info = reported.
ic::Result<std::vector<audit::Check>> verify_suite(const SourceFactory& make, const ic::Principal& hub,
                                                   const VerifyInput& in);

}  // namespace hub
