// SPEC.md "Invariants an audit checks": every check has its own id, and missing data is Unknown, never Pass.
#include "hub/audit.h"

#include <algorithm>

namespace hub::audit {

using ic::BigNat;

const char* status_name(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Unknown: return "unknown";
    case Status::Info: return "info";
  }
  return "?";
}

int Report::exit_code() const {
  bool unknown = false;
  for (auto& c : checks) {
    if (c.status == Status::Fail) return 1;
    if (c.status == Status::Unknown) unknown = true;
  }
  return unknown ? 2 : 0;
}

namespace {

std::optional<BigNat> get(const Numbers& n, const std::string& key) {
  auto it = n.find(key);
  if (it == n.end()) return std::nullopt;
  return it->second;
}

std::string dec(const BigNat& n) { return n.to_decimal(); }

struct Builder {
  Report report;
  void add(std::string id, Status s, std::string subject, std::string message) {
    report.checks.push_back({std::move(id), s, std::move(subject), std::move(message)});
  }
  void pass_or_fail(std::string id, bool ok, std::string subject, std::string message) {
    add(std::move(id), ok ? Status::Pass : Status::Fail, std::move(subject), std::move(message));
  }
  // Unknown naming the fields that were missing.
  void missing(std::string id, std::string subject, const std::string& what) {
    add(std::move(id), Status::Unknown, std::move(subject), "not checked: " + what);
  }
};

std::string shard_name(const ShardObservation& s) {
  return "shard " + std::to_string(s.index) + " (" + s.id.to_text() + ")";
}

std::string principals(const std::vector<ic::Principal>& ps) {
  std::string out = "[";
  for (size_t i = 0; i < ps.size(); ++i) out += (i ? ", " : "") + ps[i].to_text();
  return out + "]";
}

void check_i1(Builder& b, const Observation& o, const Expectations& e) {
  const auto& g = o.hub.global_stats;
  auto alloc = get(g, "total_allocated"), ret = get(g, "total_returned"), cap = get(g, "hard_cap");
  if (!alloc || !ret) {
    b.missing("I1.cap", "hub", "get_global_stats has no total_allocated/total_returned");
    return;
  }
  if (*ret > *alloc) {
    b.add("I1.cap", Status::Fail, "hub",
          "total_returned " + dec(*ret) + " exceeds total_allocated " + dec(*alloc));
    return;
  }
  if (cap)
    b.pass_or_fail("I1.hard_cap_expected", *cap == e.hard_cap, "hub",
                   "hard_cap " + dec(*cap) + " e8s vs expected " + dec(e.hard_cap) + " (--expect-cap)");
  else
    b.missing("I1.hard_cap_expected", "hub", "get_global_stats has no hard_cap");
  BigNat net = *alloc;
  net -= *ret;
  BigNat limit = cap ? std::min(*cap, e.hard_cap) : e.hard_cap;
  bool ok = net <= limit;
  if (ok) {
    BigNat head = limit;
    head -= net;
    b.report.headroom = head;
  }
  b.pass_or_fail("I1.cap", ok, "hub",
                 "total_allocated − total_returned = " + dec(net) + (ok ? " ≤ " : " > ") + "hard cap " + dec(limit));
  if (!o.shards_complete) {
    b.missing("I1.shard_sums", "hub", "list_shards was not read completely");
    return;
  }
  BigNat granted, returned;
  for (auto& s : o.shards) {
    auto gt = get(s.hub_info, "granted_total"), rt = get(s.hub_info, "returned_total");
    if (!gt || !rt) {
      b.missing("I1.shard_sums", "hub", shard_name(s) + " has no granted_total/returned_total in list_shards");
      return;
    }
    granted += *gt;
    returned += *rt;
  }
  b.pass_or_fail("I1.shard_sums", granted == *alloc && returned == *ret, "hub",
                 "Σ granted_total " + dec(granted) + " vs total_allocated " + dec(*alloc) + "; Σ returned_total " +
                     dec(returned) + " vs total_returned " + dec(*ret));
}

void check_i2_i3(Builder& b, const ShardObservation& s) {
  std::string who = shard_name(s);
  if (!s.stats) {
    b.missing("I2.granted_matches_hub", who, s.error.empty() ? "get_shard_stats not read" : s.error);
    b.missing("I3.balances", who, s.error.empty() ? "get_shard_stats not read" : s.error);
    return;
  }
  const Numbers& st = *s.stats;
  auto sg = get(st, "allowance_granted_total"), hg = get(s.hub_info, "granted_total");
  auto sr = get(st, "allowance_returned_total"), hr = get(s.hub_info, "returned_total");
  auto sseq = get(st, "last_sync_seq"), hseq = get(s.hub_info, "last_sync_seq");
  if (!sg || !hg || !sseq || !hseq || !sr || !hr) {
    b.missing("I2.granted_matches_hub", who, "granted/returned totals or last_sync_seq missing");
  } else if (*sseq == *hseq) {
    b.pass_or_fail("I2.granted_matches_hub", *sg == *hg && *sr == *hr, who,
                   "at sync seq " + dec(*sseq) + ": shard granted " + dec(*sg) + " / hub " + dec(*hg) +
                       ", shard returned " + dec(*sr) + " / hub " + dec(*hr));
  } else {
    // A sync in flight: the hub books a grant before the shard applies it, and the shard books a return
    // before the hub receives it.
    b.pass_or_fail("I2.granted_matches_hub", *sg <= *hg && *sr >= *hr, who,
                   "sync in flight (shard seq " + dec(*sseq) + ", hub seq " + dec(*hseq) + "): shard granted " +
                       dec(*sg) + " ≤ hub " + dec(*hg) + ", shard returned " + dec(*sr) + " ≥ hub " + dec(*hr));
  }
  auto used = get(st, "allowance_used_total"), reserved = get(st, "allowance_reserved"),
       remaining = get(st, "allowance_remaining");
  if (!sg || !used || !reserved || !remaining || !sr) {
    b.missing("I2.allowance_books", who, "allowance fields missing from get_shard_stats");
  } else {
    BigNat sum = *used;
    sum += *reserved;
    sum += *remaining;
    sum += *sr;
    b.pass_or_fail("I2.allowance_books", sum == *sg, who,
                   "granted " + dec(*sg) + " vs used + reserved + remaining + returned = " + dec(*used) + " + " +
                       dec(*reserved) + " + " + dec(*remaining) + " + " + dec(*sr) + " = " + dec(sum));
  }
  auto credited = get(st, "rewards_credited_total"), unstaked = get(st, "unstaked_total"),
       back = get(st, "credited_back_total");
  if (!credited || !unstaked || !back || !used) {
    b.missing("I3.balances", who, "reward/unstake totals missing from get_shard_stats");
    return;
  }
  b.pass_or_fail("I3.rewards_used", *credited == *used, who,
                 "rewards_credited_total " + dec(*credited) + " vs allowance_used_total " + dec(*used));
  if (!s.balances_sum) {
    b.missing("I3.balances", who, s.error.empty() ? "audit_balances not read" : s.error);
    return;
  }
  BigNat expect = *credited;
  expect += *back;
  if (*unstaked > expect) {
    b.add("I3.balances", Status::Fail, who,
          "unstaked_total " + dec(*unstaked) + " exceeds rewards credited + credited back " + dec(expect));
    return;
  }
  expect -= *unstaked;
  b.pass_or_fail("I3.balances", *s.balances_sum == expect, who,
                 "Σ balances " + dec(*s.balances_sum) + " (" + std::to_string(s.balances_count) +
                     " users) vs credited − unstaked + credited back = " + dec(expect));
}

void check_i4(Builder& b, const Observation& o, const Expectations& e) {
  const auto& l = o.ledger;
  if (!l.present) {
    b.missing("I4.minting_account", "ledger", "ledger not read");
    return;
  }
  if (!l.minting_owner) {
    b.missing("I4.minting_account", "ledger", "icrc1_minting_account not read");
  } else {
    b.pass_or_fail("I4.minting_account", *l.minting_owner == o.hub.id && l.minting_subaccount_default, "ledger",
                   "minting account " + l.minting_owner->to_text() + (l.minting_subaccount_default ? "" : " (with a subaccount)") +
                       ", hub " + o.hub.id.to_text());
  }
  if (!l.chain_verified) {
    b.add("I4.chain", l.chain_error.empty() ? Status::Unknown : Status::Fail, "ledger",
          l.chain_error.empty() ? "not checked: blocks not read" : l.chain_error);
    return;
  }
  b.add("I4.chain", Status::Pass, "ledger",
        std::to_string(l.chain_length) + " blocks re-hashed along phash up to the certified tip");
  auto withdrawn = get(o.hub.global_stats, "total_withdrawn");
  auto pending = get(o.hub.global_stats, "pending_withdrawals.amount");
  if (!withdrawn) {
    b.missing("I4.mints_match_withdrawn", "ledger", "hub total_withdrawn not read");
  } else {
    BigNat high = *withdrawn;
    if (pending) high += *pending;
    bool exact = !pending || pending->is_zero();
    bool ok = exact ? l.minted == *withdrawn : (*withdrawn <= l.minted && l.minted <= high);
    b.pass_or_fail("I4.mints_match_withdrawn", ok, "ledger",
                   "Σ mint blocks " + dec(l.minted) + " vs hub total_withdrawn " + dec(*withdrawn) +
                       (pending && !pending->is_zero() ? " (+ pending " + dec(*pending) + ")" : ""));
  }
  BigNat cap = e.hard_cap;
  if (auto hc = get(o.hub.global_stats, "hard_cap")) cap = std::min(cap, *hc);
  b.pass_or_fail("I4.mints_under_cap", l.minted <= cap, "ledger", "Σ mints " + dec(l.minted) + " vs hard cap " + dec(cap));
  if (!l.total_supply) {
    b.missing("I4.supply", "ledger", "icrc1_total_supply not read");
  } else {
    b.pass_or_fail("I4.supply", *l.total_supply <= l.minted, "ledger",
                   "icrc1_total_supply " + dec(*l.total_supply) + " vs Σ mints " + dec(l.minted));
  }
}

void check_admin(Builder& b, const Expectations& e, const std::string& who, const CanisterFacts& f) {
  if (!f.certified || !f.controllers) {
    b.missing("I5.admin_less", who, f.error.empty() ? "controllers not read" : f.error);
    return;
  }
  bool none = f.controllers->empty();
  Status s = none ? Status::Pass : (e.require_admin_less ? Status::Fail : Status::Info);
  b.add("I5.admin_less", s, who, std::string("admin-less: ") + (none ? "yes" : "no") + ", controllers " + principals(*f.controllers));
}

void check_i5(Builder& b, const Observation& o, const Expectations& e) {
  const auto& embedded = o.hub.embedded_wasm_sha256;
  if (embedded && o.bundled_user_profile_sha256)
    b.pass_or_fail("I5.embedded_is_bundled", *embedded == *o.bundled_user_profile_sha256, "hub",
                   "hub's embedded user_profile " + ic::to_hex(*embedded) + " vs bundled " +
                       ic::to_hex(*o.bundled_user_profile_sha256));
  for (auto& s : o.shards) {
    std::string who = shard_name(s);
    if (!s.facts.certified) {
      b.missing("I5.shard_module_hash", who, s.facts.error.empty() ? "certified module hash not read" : s.facts.error);
      continue;
    }
    if (!embedded) {
      b.missing("I5.shard_module_hash", who, "hub get_config has no embedded wasm hash");
    } else {
      bool ok = s.facts.module_hash && *s.facts.module_hash == *embedded;
      b.pass_or_fail("I5.shard_module_hash", ok, who,
                     "certified module hash " + (s.facts.module_hash ? ic::to_hex(*s.facts.module_hash) : "(none)") +
                         " vs hub's embedded " + ic::to_hex(*embedded));
    }
    if (s.facts.controllers) {
      bool ok = s.facts.controllers->size() == 1 && (*s.facts.controllers)[0] == o.hub.id;
      b.pass_or_fail("I5.shard_controllers", ok, who, "controllers " + principals(*s.facts.controllers) + ", expected [hub]");
    }
  }
  check_admin(b, e, "hub", o.hub.facts);
  if (o.content) check_admin(b, e, "learning_content", *o.content);
  if (o.ledger.present) check_admin(b, e, "ledger", o.ledger.facts);
}

void check_i6(Builder& b, const Observation& o, const Expectations& e) {
  auto hard = get(o.hub.constants, "shard_hard_limit"), soft = get(o.hub.constants, "shard_soft_limit");
  auto interval = get(o.hub.constants, "auto_scale_interval_ns");
  bool all_at_soft = true;
  size_t active = 0;
  for (auto& s : o.shards) {
    auto users = get(s.hub_info, "user_count");
    if (s.status == "Active") {
      ++active;
      if (hard && users)
        b.pass_or_fail("I6.hard_limit", *users <= *hard, shard_name(s),
                       dec(*users) + " users vs hard limit " + dec(*hard));
      if (!soft || !users || *users < *soft) all_at_soft = false;
    }
    if (s.stats) {
      if (auto c = get(*s.stats, "cycles"))
        b.pass_or_fail("I6.cycles", *c >= e.min_cycles, shard_name(s),
                       dec(*c) + " cycles vs margin " + dec(e.min_cycles));
    }
  }
  if (auto c = get(o.hub.global_stats, "cycles"))
    b.pass_or_fail("I6.cycles", *c >= e.min_cycles, "hub", dec(*c) + " cycles vs margin " + dec(e.min_cycles));
  if (!o.shards_complete || !soft || !interval) {
    b.missing("I6.autoscale", "hub", "soft limit, auto-scale interval or shard list not read");
    return;
  }
  if (active == 0 || all_at_soft) {
    // Every Active shard is at the soft limit (or none is Active): the hub must add one within two intervals.
    auto iv = interval->to_u64().value_or(0);
    uint64_t since = o.time_ns > o.hub.last_ensure_capacity_time_ns ? o.time_ns - o.hub.last_ensure_capacity_time_ns : 0;
    bool ok = since <= 2 * iv;
    b.pass_or_fail("I6.autoscale", ok, "hub",
                   "every Active shard is at the soft limit; last ensure_capacity " + std::to_string(since / 1'000'000'000) +
                       " s ago (limit 2 × " + std::to_string(iv / 1'000'000'000) + " s)");
  } else {
    b.add("I6.autoscale", Status::Pass, "hub", "an Active shard is below the soft limit");
  }
}

}  // namespace

Report evaluate(const Observation& obs, const Expectations& expect) {
  Builder b;
  check_i1(b, obs, expect);
  for (auto& s : obs.shards) check_i2_i3(b, s);
  check_i4(b, obs, expect);
  check_i5(b, obs, expect);
  check_i6(b, obs, expect);
  return std::move(b.report);
}

}  // namespace hub::audit
