// `hubctl call` / `hubctl query CANISTER METHOD 'ARGS'`: Candid text in, the certified (call) or node-signed
// (query) reply out as Candid text, hex, or JSON. `--dry-run` signs without sending (`--dump-envelope FILE`).
#include <fstream>
#include <iostream>

#include "agent/agent.h"
#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "candid_json.h"
#include "commands/commands.h"
#include "hub/interfaces.h"

namespace cli {
namespace {

struct CallOptions {
  std::string canister, method, args = "()", did, output = "candid", envelope_file, effective;
  bool dry_run = false;
};

// ic-protocol.md §5.1: calls to aaaaa-aa go to the canister named in the argument record.
std::optional<ic::Principal> management_target(const candid::Args& a) {
  if (a.values.empty() || a.values[0].kind != candid::Op::Record) return std::nullopt;
  for (const char* name : {"canister_id", "target_canister"})
    if (const candid::Value* v = a.values[0].field(candid::field_hash(name)); v && v->kind == candid::Op::Principal)
      if (auto p = ic::Principal::from_bytes(v->bytes)) return *p;
  return std::nullopt;
}

int run(Context& ctx, const CallOptions& o, bool update) {
  std::string suite_name;
  auto canister = ctx.resolve_canister(o.canister, &suite_name);
  if (!canister) return ctx.fail(canister.error(), kUsage);
  if (o.output != "candid" && o.output != "hex")
    return ctx.fail(ic::make_error(ic::Errc::invalid_input, "--output is candid or hex"), kUsage);
  auto text = read_arg_or_stdin(o.args, "ARGS");
  if (!text) return ctx.fail(text.error());

  // Types: the method's from --did, else inferred from the text (and the reply's own wire types).
  candid::text::DidFile did;
  std::optional<candid::FuncType> func;
  if (!o.did.empty()) {
    auto d = candid::text::load_did(o.did);
    if (!d) return ctx.fail(d.error(), kUsage);
    did = std::move(*d);
    auto f = did.method(o.method);
    if (!f) return ctx.fail(f.error(), kUsage);
    func = *f;
    if (update && func->is_query()) ctx.note("note: " + o.method + " is a query method; `hubctl query` is faster");
  } else if (!suite_name.empty()) {
    // A suite canister: its interface is built into hubctl.
    if (auto d = hub::suite_interface(suite_name)) {
      did = **d;
      auto f = did.method(o.method);
      if (!f) return ctx.fail(f.error(), kUsage);
      func = *f;
    }
  }
  std::vector<std::string> warnings;
  candid::text::ParseOptions popts;
  popts.warnings = &warnings;
  auto args = candid::text::parse_args(*text, did, func ? &func->args : nullptr, popts);
  if (!args) return ctx.fail(args.error());
  for (auto& w : warnings) ctx.warn(w);
  auto arg_bytes = candid::encode(*args);
  if (!arg_bytes) return ctx.fail(arg_bytes.error());

  ic::Principal ecid = *canister;
  if (!o.effective.empty()) {
    auto e = ic::Principal::from_text(o.effective);
    if (!e) return ctx.fail(e.error(), kUsage);
    ecid = *e;
  } else if (canister->is_management()) {
    auto t = management_target(*args);
    if (!t)
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, "calls to aaaaa-aa need the canister they concern",
                                     "pass a record with canister_id, or --effective-canister-id ID"),
                      kUsage);
    ecid = *t;
  }

  if (o.dry_run) {
    // Offline: sign exactly what would be sent, show the request id, optionally write the envelope.
    auto id = ctx.identity(update);
    if (!id) return ctx.fail(id.error());
    agent::AgentOptions ao;
    ao.url = "http://0.0.0.0";  // never contacted
    ao.identity = *id;
    agent::Agent a(ao);
    auto req = a.sign_call(update ? agent::RequestType::Call : agent::RequestType::Query, *canister, o.method, *arg_bytes);
    if (!req) return ctx.fail(req.error());
    if (!o.envelope_file.empty()) {
      std::ofstream f(o.envelope_file, std::ios::binary);
      f.write(reinterpret_cast<const char*>(req->body.data()), std::streamsize(req->body.size()));
      if (!f) return ctx.fail(ic::make_error(ic::Errc::io, "cannot write " + o.envelope_file));
    }
    std::string rid = ic::to_hex(req->request_id);
    if (ctx.json)
      ctx.print_json({{"ok", true},
                      {"dry_run", true},
                      {"request_id", rid},
                      {"sender", (*id)->sender().to_text()},
                      {"effective_canister_id", ecid.to_text()},
                      {"ingress_expiry", std::to_string(req->expiry_ns)},
                      {"envelope_bytes", req->body.size()}});
    else
      std::cout << "request id: " << rid << "\nsender:     " << (*id)->sender().to_text()
                << "\nexpiry:     " << agent::format_time(req->expiry_ns) << "\n";
    return kOk;
  }

  Network net;
  auto agent = ctx.make_agent(update, &net);
  if (!agent) return ctx.fail(agent.error());
  auto reply = update ? (*agent)->call(*canister, o.method, *arg_bytes, ecid)
                      : (*agent)->query(*canister, o.method, *arg_bytes, ecid);
  if (!reply) return ctx.fail(reply.error());
  std::string what = (update ? "call " : "query ") + o.method + " on " + canister->to_text();
  if (reply->rejected) return ctx.fail(agent::reject_to_error(*reply, what), kCouldNotCheck, "reject");

  auto decoded = func ? candid::decode(reply->arg, &did.table, &func->results) : candid::decode(reply->arg);
  if (!decoded && (ctx.json || o.output == "candid"))
    return ctx.fail(std::move(decoded).take_error().context("the reply of " + o.method), kCouldNotCheck);
  if (ctx.json) {
    ctx.print_json({{"ok", true},
                    {"canister", canister->to_text()},
                    {"method", o.method},
                    {"request_id", ic::to_hex(reply->request_id)},
                    {"certified", reply->certified},
                    {"reply", candid_args_to_json(*decoded)},
                    {"candid", candid::text::print_args(*decoded, candid::text::PrintOptions{0})},
                    {"hex", ic::to_hex(reply->arg)},
                    {"root_key_source", net.root_key_source}});
  } else if (o.output == "hex") {
    std::cout << ic::to_hex(reply->arg) << "\n";
  } else {
    std::cout << candid::text::print_args(*decoded) << "\n";
  }
  return kOk;
}

void add(CLI::App& app, Context& ctx, bool update) {
  static CallOptions opts[2];
  CallOptions& o = opts[update];
  auto* cmd = app.add_subcommand(update ? "call" : "query",
                                 update ? "Call a canister method (update): the reply is certified by the subnet"
                                        : "Query a canister method: the reply is signed by a node and checked");
  cmd->add_option("CANISTER", o.canister, "Canister id, or a name from the state file (staking_hub, learning_content, icrc1_ledger)")->required();
  cmd->add_option("METHOD", o.method, "Method name")->required();
  cmd->add_option("ARGS", o.args, "Arguments in Candid text, e.g. '(42 : nat, \"hi\")' (default ()); - reads stdin");
  cmd->add_option("--did", o.did, "A .did file: the method's argument and result types")->check(CLI::ExistingFile);
  cmd->add_option("--output,-o", o.output, "Reply format in text mode: candid (default) or hex");
  cmd->add_option("--effective-canister-id", o.effective, "Where to send calls to aaaaa-aa (default: its canister_id)");
  cmd->add_flag("--dry-run", o.dry_run, "Sign the request and print its id without sending it (offline)");
  cmd->add_option("--dump-envelope", o.envelope_file, "With --dry-run: write the signed CBOR envelope to FILE");
  cmd->footer(update ? "Examples:\n"
                       "  hubctl call bkyz2-fmaaa-aaaaa-qaaaq-cai greet '(\"Ada\")'\n"
                       "  hubctl --network ic --identity ops call ID transfer '(record { … })' --did ledger.did --json\n"
                       "  hubctl call ID greet '(\"x\")' --pem key.pem --dry-run --dump-envelope env.cbor"
                     : "Examples:\n"
                       "  hubctl --network ic query ryjl3-tyaaa-aaaaa-aaaba-cai icrc1_symbol\n"
                       "  hubctl query ID get_stats --did staking_hub.did --json");
  set_runner(cmd, [&ctx, &o, update]() -> int { return run(ctx, o, update); });
}

}  // namespace

void add_call_commands(CLI::App& app, Context& ctx) {
  add(app, ctx, true);
  add(app, ctx, false);
}

}  // namespace cli
