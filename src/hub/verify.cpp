// hubctl verify's checks (verify.h).
#include "hub/verify.h"

namespace hub {

using audit::Check;
using audit::Status;

const std::map<std::string, ic::BigNat>& default_constants() {
  static const std::map<std::string, ic::BigNat> d = {
      {"hard_cap", ic::BigNat(420'000'000'000'000'000ull)},
      {"shard_soft_limit", ic::BigNat(90'000)},
      {"shard_hard_limit", ic::BigNat(100'000)},
      {"auto_scale_interval", ic::BigNat(60)},
      {"shard_cycles", ic::BigNat(2'000'000'000'000ull)},
      {"shard_topup_below", ic::BigNat(500'000'000'000ull)},
      {"reward_per_pass", ic::BigNat(100'000'000)},
      {"daily_attempts", ic::BigNat(5)},
      {"allowance_low", ic::BigNat(50'000'000'000ull)},
      {"allowance_chunk", ic::BigNat(100'000'000'000ull)},
      {"allowance_high", ic::BigNat(300'000'000'000ull)},
      {"sync_interval", ic::BigNat(5)},
      {"min_unstake", ic::BigNat(100'000)},
  };
  return d;
}

namespace {

std::string hex_or_none(const std::optional<ic::Bytes>& h) { return h ? ic::to_hex(*h) : "(no module)"; }

std::string principals(const std::vector<ic::Principal>& ps) {
  std::string out = "[";
  for (size_t i = 0; i < ps.size(); ++i) out += (i ? ", " : "") + ps[i].to_text();
  return out + "]";
}

void module_check(std::vector<Check>& out, const std::string& who, const audit::CanisterFacts& f,
                  const std::optional<ic::Bytes>& expected, const char* expected_what) {
  if (!f.certified) {
    out.push_back({"module_hash", Status::Unknown, who, "not checked: " + f.error});
    return;
  }
  if (!expected) {
    out.push_back({"module_hash", Status::Info, who, "certified module hash " + hex_or_none(f.module_hash) +
                                                         " (" + expected_what + ")"});
    return;
  }
  bool ok = f.module_hash && *f.module_hash == *expected;
  out.push_back({"module_hash", ok ? Status::Pass : Status::Fail, who,
                 "certified module hash " + hex_or_none(f.module_hash) + (ok ? " = " : " ≠ ") + expected_what + " " +
                     ic::to_hex(*expected)});
}

void admin_check(std::vector<Check>& out, const std::string& who, const audit::CanisterFacts& f, bool required) {
  if (!f.certified || !f.controllers) return;  // reported by module_check already
  bool none = f.controllers->empty();
  out.push_back({"admin_less", none ? Status::Pass : (required ? Status::Fail : Status::Info), who,
                 std::string("admin-less: ") + (none ? "yes" : "no") + ", controllers " + principals(*f.controllers)});
}

}  // namespace

ic::Result<std::vector<Check>> verify_suite(const SourceFactory& make, const ic::Principal& hub_id, const VerifyInput& in) {
  std::vector<Check> out;
  IC_TRY(auto src, make());
  IC_TRY(HubState h, read_hub(*src, hub_id));
  auto bundled = [&](const char* name) -> std::optional<ic::Bytes> {
    auto it = in.bundled_sha256.find(name);
    if (it == in.bundled_sha256.end()) return std::nullopt;
    return it->second;
  };

  auto hub_facts = read_canister_facts(*src, hub_id);
  module_check(out, "staking_hub " + hub_id.to_text(), hub_facts, bundled("staking_hub"), "bundled staking_hub.wasm");
  admin_check(out, "staking_hub " + hub_id.to_text(), hub_facts, in.require_admin_less);

  std::set<ic::Principal> content;
  for (auto& [_, c] : h.content) content.insert(c);
  for (auto& c : content) {
    auto f = read_canister_facts(*src, c);
    module_check(out, "learning_content " + c.to_text(), f, bundled("learning_content"), "bundled learning_content.wasm");
    admin_check(out, "learning_content " + c.to_text(), f, in.require_admin_less);
  }
  auto lf = read_canister_facts(*src, h.ledger);
  module_check(out, "icrc1_ledger " + h.ledger.to_text(), lf, in.external_ledger ? std::nullopt : bundled("icrc1_ledger"),
               in.external_ledger ? "an external ledger (--ledger): not compared" : "bundled icrc1_ledger.wasm");
  admin_check(out, "icrc1_ledger " + h.ledger.to_text(), lf, in.require_admin_less);

  if (auto up = bundled("user_profile")) {
    bool ok = h.wasm_sha256 == *up;
    out.push_back({"embedded_wasm", ok ? Status::Pass : Status::Fail, "staking_hub",
                   "embedded user_profile " + ic::to_hex(h.wasm_sha256) + (ok ? " = " : " ≠ ") + "bundled user_profile.wasm " +
                       ic::to_hex(*up)});
  } else {
    out.push_back({"embedded_wasm", Status::Info, "staking_hub", "embedded user_profile " + ic::to_hex(h.wasm_sha256)});
  }

  IC_TRY(auto rows, read_shard_list(*src, hub_id));
  ShardReadOptions so;
  so.concurrency = in.concurrency;
  std::vector<audit::CanisterFacts> facts(rows.size());
  IC_CHECK(parallel_for(rows.size(), in.concurrency, make,
                        [&](Source& s, size_t i) { facts[i] = read_canister_facts(s, rows[i].id); }));
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string who = "shard " + std::to_string(rows[i].index) + " " + rows[i].id.to_text();
    module_check(out, who, facts[i], h.wasm_sha256, "the hub's embedded wasm");
    if (facts[i].certified && facts[i].controllers) {
      bool ok = facts[i].controllers->size() == 1 && (*facts[i].controllers)[0] == hub_id;
      out.push_back({"shard_controllers", ok ? Status::Pass : Status::Fail, who,
                     "controllers " + principals(*facts[i].controllers) + (ok ? " = [hub]" : ", expected [hub] only")});
    }
  }

  for (auto& [name, def] : default_constants()) {
    auto it = h.constants.find(name);
    if (it == h.constants.end()) {
      out.push_back({"constant", Status::Unknown, "staking_hub", name + " not in the hub's certified config"});
      continue;
    }
    if (name == "hard_cap") {
      bool ok = it->second == in.expect_cap;
      out.push_back({"hard_cap", ok ? Status::Pass : Status::Fail, "staking_hub",
                     "hard_cap " + it->second.to_decimal() + " e8s" + (ok ? " = " : " ≠ ") + "expected " +
                         in.expect_cap.to_decimal() + (ok ? "" : " (name the intended cap with --expect-cap)")});
    } else if (!(it->second == def)) {
      out.push_back({"constant", Status::Info, "staking_hub",
                     name + " = " + it->second.to_decimal() + " (default " + def.to_decimal() + ")"});
    }
  }
  return out;
}

}  // namespace hub
