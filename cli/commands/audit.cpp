// `hubctl audit`: SPEC.md's invariants I1–I6 over hub, shards and ledger from certified reads, with hard-cap
// headroom; --evidence saves what it read (re-checkable offline with --verify-evidence DIR); --prometheus
// writes a textfile for node_exporter. Exit 0 all pass, 1 an invariant fails, 2 something could not be checked.
#include <iostream>

#include "agent/clock.h"
#include "bundle/bundle.h"
#include "commands/commands.h"
#include "hub/audit.h"
#include "hub/files.h"
#include "hub/source.h"
#include "hub/suite.h"
#include "table.h"
#include "version.h"

namespace cli {
namespace {

struct AuditOptions {
  std::string evidence, prometheus, max_age = "5m", expect_cap, verify_evidence;
  bool require_admin_less = false;
  size_t concurrency = 16;
};

constexpr int kSchemaVersion = 1;

nlohmann::json report_json(const hub::audit::Report& r, const ic::Principal& hub, uint64_t time_ns) {
  nlohmann::json checks = nlohmann::json::array();
  for (auto& c : r.checks)
    checks.push_back({{"id", c.id}, {"status", hub::audit::status_name(c.status)}, {"subject", c.subject},
                      {"message", c.message}});
  nlohmann::json j{{"schema_version", kSchemaVersion},
                   {"ok", r.exit_code() == 0},
                   {"exit_code", r.exit_code()},
                   {"hub", hub.to_text()},
                   {"time_ns", std::to_string(time_ns)},
                   {"checks", checks}};
  if (r.headroom) j["headroom_e8s"] = r.headroom->to_decimal();
  std::vector<std::string> failed;
  for (auto& c : r.checks)
    if (c.status == hub::audit::Status::Fail) failed.push_back(c.id);
  j["failed_checks"] = failed;
  return j;
}

void print_report(const hub::audit::Report& r) {
  for (auto& c : r.checks) {
    std::string s = c.status == hub::audit::Status::Pass      ? "PASS"
                    : c.status == hub::audit::Status::Fail    ? "FAIL"
                    : c.status == hub::audit::Status::Unknown ? "UNKNOWN"
                                                              : "INFO";
    std::cout << s << std::string(8 - s.size(), ' ') << c.id << "  " << c.subject << ": " << c.message << "\n";
  }
  if (r.headroom) std::cout << "hard-cap headroom: " << e8s_to_tokens(r.headroom->to_decimal()) << " tokens\n";
  int code = r.exit_code();
  std::cout << (code == 0 ? "audit passed" : code == 1 ? "audit FAILED" : "audit incomplete (could not check everything)")
            << "\n";
}

std::vector<hub::Metric> metrics(const hub::audit::Report& r, const hub::audit::Observation& o) {
  std::vector<hub::Metric> m;
  hub::Metric ok{"hubctl_audit_ok", "1 when every check passed, 0 otherwise", "gauge", {{{}, r.exit_code() == 0 ? "1" : "0"}}};
  hub::Metric code{"hubctl_audit_exit_code", "0 pass, 1 an invariant failed, 2 could not check", "gauge",
                   {{{}, std::to_string(r.exit_code())}}};
  hub::Metric check{"hubctl_audit_check", "1 pass or info, 0 fail, -1 unknown; one sample per check and subject", "gauge", {}};
  for (auto& c : r.checks)
    check.samples.push_back({{{"check", c.id}, {"subject", c.subject}},
                             c.status == hub::audit::Status::Fail      ? "0"
                             : c.status == hub::audit::Status::Unknown ? "-1"
                                                                       : "1"});
  m = {ok, code, check};
  if (r.headroom) m.push_back({"hubctl_audit_headroom_e8s", "hard cap minus net allocation to shards", "gauge", {{{}, r.headroom->to_decimal()}}});
  for (auto key : {"total_allocated", "total_returned", "total_withdrawn", "hard_cap", "user_count", "shard_count"}) {
    auto it = o.hub.global_stats.find(key);
    if (it != o.hub.global_stats.end())
      m.push_back({std::string("hubctl_hub_") + key, std::string("staking_hub get_global_stats ") + key, "gauge",
                   {{{}, it->second.to_decimal()}}});
  }
  m.push_back({"hubctl_audit_timestamp_seconds", "certified time of the audited state", "gauge",
               {{{}, std::to_string(o.time_ns / 1'000'000'000ull)}}});
  return m;
}

int finish(Context& ctx, const AuditOptions& o, const hub::audit::Report& r, const hub::audit::Observation& obs,
           const ic::Principal& hub_id) {
  if (!o.prometheus.empty()) {
    if (auto st = hub::write_file_atomic(o.prometheus, hub::prometheus_text(metrics(r, obs))); !st.ok())
      return ctx.fail(st.error(), kCouldNotCheck);
  }
  if (ctx.json) ctx.print_json(report_json(r, hub_id, obs.time_ns));
  else print_report(r);
  return r.exit_code();
}

ic::Result<hub::audit::Expectations> expectations(const AuditOptions& o) {
  hub::audit::Expectations e;
  e.require_admin_less = o.require_admin_less;
  if (!o.expect_cap.empty()) {
    IC_TRY(e.hard_cap, ic::BigNat::from_decimal(o.expect_cap));
  }
  return e;
}

int verify_evidence(Context& ctx, const AuditOptions& o) {
  auto m = hub::verify_evidence_dir(o.verify_evidence);
  if (!m) return ctx.fail(m.error(), m.error().code == ic::Errc::io ? kCouldNotCheck : kCheckFailed, "evidence");
  auto meta = [&](const char* k) { auto it = m->meta.find(k); return it == m->meta.end() ? std::string() : it->second; };
  auto hub_id = ic::Principal::from_text(meta("hub"));
  if (!hub_id) return ctx.fail(ic::make_error(ic::Errc::decode, "evidence meta.json names no hub"), kCheckFailed, "evidence");
  auto manifest = *m;
  if (!ctx.global.root_key.empty()) {
    auto key = ctx.offline_root_key();
    if (!key) return ctx.fail(key.error(), kUsage);
    manifest.meta["root_key"] = ic::to_hex(*key);  // pin the key instead of trusting the recorded one
  } else {
    ctx.note("checking certificates against the root key recorded in the evidence (" + meta("network") +
             "); pin one with --root-key ic|HEX");
  }
  uint64_t max_age = std::stoull(meta("max_age_ns").empty() ? "300000000000" : meta("max_age_ns"));
  hub::SourceFactory make = [&]() -> ic::Result<std::unique_ptr<hub::Source>> {
    return hub::evidence_source(o.verify_evidence, manifest, max_age);
  };
  hub::ObserveOptions oo;
  oo.concurrency = 1;
  if (auto b = ic::from_hex(meta("bundled_user_profile_sha256")); b && !b->empty()) oo.bundled_user_profile_sha256 = *b;
  auto obs = hub::observe(make, *hub_id, oo);
  if (!obs) return ctx.fail(obs.error(), kCheckFailed, "evidence");
  AuditOptions recorded = o;
  recorded.expect_cap = meta("expect_cap");
  recorded.require_admin_less = meta("require_admin_less") == "true";
  auto e = expectations(recorded);
  if (!e) return ctx.fail(e.error(), kCheckFailed, "evidence");
  auto r = hub::audit::evaluate(*obs, *e);
  // The recorded verdict must be what the evidence supports.
  auto saved = hub::read_evidence_file(o.verify_evidence, *m, "report.json");
  if (saved) {
    auto j = nlohmann::json::parse(std::string(saved->begin(), saved->end()), nullptr, false);
    if (j.is_discarded() || j["checks"] != report_json(r, *hub_id, obs->time_ns)["checks"])
      return ctx.fail(ic::make_error(ic::Errc::crypto, "report.json does not match what the evidence shows",
                                     "the recorded verdict was changed or computed differently; trust the recomputed one"),
                      kCheckFailed, "evidence");
  }
  if (!ctx.json) std::cout << "evidence intact: " << m->files.size() << " files, certificates verified\n";
  return finish(ctx, AuditOptions{}, r, *obs, *hub_id);
}

int run_audit(Context& ctx, const AuditOptions& o) {
  if (!o.verify_evidence.empty()) return verify_evidence(ctx, o);
  auto hub_id = ctx.hub_id();
  if (!hub_id) return ctx.fail(hub_id.error(), kUsage);
  auto max_age = agent::parse_duration(o.max_age);
  if (!max_age) return ctx.fail(max_age.error(), kUsage);
  auto e = expectations(o);
  if (!e) return ctx.fail(e.error(), kUsage);
  std::shared_ptr<hub::EvidenceSink> sink;
  if (!o.evidence.empty()) {
    auto w = hub::EvidenceWriter::create(o.evidence);
    if (!w) return ctx.fail(w.error(), kUsage);
    sink = std::make_shared<hub::EvidenceSink>(std::move(*w));
  }
  auto make_agent = ctx.agent_factory(false);
  std::string root_key_hex;
  std::string url;
  uint64_t now_ns = 0;
  std::mutex mu;
  hub::SourceFactory make = [&]() -> ic::Result<std::unique_ptr<hub::Source>> {
    IC_TRY(auto a, make_agent());
    {
      std::lock_guard lock(mu);
      if (root_key_hex.empty()) {
        root_key_hex = ic::to_hex(a->root_key());
        now_ns = a->now_ns();
      }
    }
    return hub::live_source(std::move(a), sink, *max_age);
  };
  hub::ObserveOptions oo;
  oo.concurrency = o.concurrency;
  if (auto* b = bundle::find_bundled_wasm("user_profile"))
    if (auto h = ic::from_hex(b->sha256_hex)) oo.bundled_user_profile_sha256 = *h;
  auto obs = hub::observe(make, *hub_id, oo);
  if (!obs) return ctx.fail(obs.error(), kCouldNotCheck);
  auto r = hub::audit::evaluate(*obs, *e);
  if (sink) {
    auto net = ctx.network();
    std::map<std::string, std::string> meta = {
        {"hub", hub_id->to_text()},
        {"network", net ? net->url : ""},
        {"root_key", root_key_hex},
        {"time_ns", std::to_string(now_ns)},
        {"max_age_ns", std::to_string(*max_age)},
        {"expect_cap", e->hard_cap.to_decimal()},
        {"require_admin_less", o.require_admin_less ? "true" : "false"},
        {"hubctl_version", HUBCTL_VERSION},
        {"bundled_user_profile_sha256", oo.bundled_user_profile_sha256 ? ic::to_hex(*oo.bundled_user_profile_sha256) : ""}};
    auto rep = report_json(r, *hub_id, obs->time_ns).dump(2) + "\n";
    auto st = sink->add("report.json", ic::as_view(rep));
    if (st.ok()) st = sink->finish(meta);
    if (!st.ok()) return ctx.fail(st.error(), kCouldNotCheck);
    ctx.note("evidence saved in " + o.evidence + " (re-check: hubctl audit --verify-evidence " + o.evidence + ")");
  }
  return finish(ctx, o, r, *obs, *hub_id);
}

}  // namespace

void add_audit_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<AuditOptions>();
  auto* cmd = app.add_subcommand("audit", "Check the suite's invariants I1–I6 (token supply vs hard cap) from certified state");
  cmd->add_option("--evidence", o->evidence, "Save every certificate and reply read, with a manifest of their hashes, in DIR");
  cmd->add_option("--verify-evidence", o->verify_evidence, "Re-check a saved evidence DIR offline (no network)");
  cmd->add_option("--prometheus", o->prometheus, "Write the results as a Prometheus textfile (atomically)");
  cmd->add_option("--max-age", o->max_age, "Oldest acceptable certificate (default 5m)");
  cmd->add_option("--expect-cap", o->expect_cap, "Expected hard cap in e8s (default 420000000000000000 = 4.2 B tokens)");
  cmd->add_flag("--require-admin-less", o->require_admin_less, "Fail when hub, content or ledger still has a controller");
  cmd->add_option("--concurrency", o->concurrency, "Shards read at once (default 16)")->check(CLI::Range(1, 256));
  cmd->footer(
      "Checks (ids in the output): I1.cap I1.hard_cap_expected I1.shard_sums I2.granted_matches_hub\n"
      "I2.allowance_books I3.rewards_used I3.balances I4.minting_account I4.chain I4.mints_match_withdrawn\n"
      "I4.mints_under_cap I4.supply I5.embedded_is_bundled I5.shard_module_hash I5.shard_controllers\n"
      "I5.admin_less I6.hard_limit I6.cycles I6.autoscale.\n"
      "Exit status: 0 every check passed, 1 a check failed, 2 something could not be checked.\n"
      "Examples:\n"
      "  hubctl audit\n"
      "  hubctl --network ic --hub ID audit --json --prometheus /var/lib/node_exporter/hubctl.prom\n"
      "  hubctl audit --evidence /srv/audits/2026-11-24 && hubctl audit --verify-evidence /srv/audits/2026-11-24");
  set_runner(cmd, [o, &ctx]() { return run_audit(ctx, *o); });
}

}  // namespace cli
