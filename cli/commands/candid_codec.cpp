// `hubctl candid encode|decode`: Candid text <-> binary (hex), typed by --types or a .did method,
// like didc. Thin: type resolution and the codec live in src/candid.
#include <iostream>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "commands/commands.h"
#include "ic/bytes.h"

namespace cli {
namespace {

struct TypeOptions {
  std::string did_path;
  std::string method;
  std::string types;
  bool other_side = false;  // encode: --results; decode: --args
};

struct Typed {
  candid::text::DidFile env;
  std::vector<candid::TypeRef> types;
  bool present = false;
};

// Where the argument types come from: --types '(…)' (names from --did), or --did + --method.
ic::Result<Typed> resolve_types(const TypeOptions& o, bool encode) {
  Typed t;
  if (!o.method.empty() && o.did_path.empty())
    return ic::make_error(ic::Errc::invalid_input, "--method needs --did FILE to look the method up in");
  if (!o.method.empty() && !o.types.empty())
    return ic::make_error(ic::Errc::invalid_input, "give either --types or --did/--method, not both");
  if (!o.did_path.empty()) {
    IC_TRY(t.env, candid::text::load_did(o.did_path));
  }
  if (!o.types.empty()) {
    IC_TRY(t.types, candid::text::parse_type_list(o.types, t.env));
    t.present = true;
  } else if (!o.method.empty()) {
    IC_TRY(auto f, t.env.method(o.method));
    // Encoding defaults to the method's arguments (a request), decoding to its results (a reply).
    bool results = encode ? o.other_side : !o.other_side;
    t.types = results ? f.results : f.args;
    t.present = true;
  } else if (!o.did_path.empty()) {
    return ic::make_error(ic::Errc::invalid_input, "--did needs --method NAME (or --types) to pick the types",
                          "e.g. --did candid/staking_hub.did --method get_global_stats");
  }
  return t;
}

// "(nat, text)" for --json output.
std::string type_list(const candid::Args& a) {
  std::string out = "(";
  for (size_t i = 0; i < a.types.size(); ++i) {
    if (i) out += ", ";
    out += candid::text::print_type(a.table, a.types[i]);
  }
  return out + ")";
}

void add_type_options(CLI::App* cmd, TypeOptions& o, bool encode) {
  cmd->add_option("--types,-t", o.types, "Argument types, e.g. '(nat, opt text)'; names resolve in --did");
  cmd->add_option("--did", o.did_path, "A .did file: its type names, and its service's methods")
      ->check(CLI::ExistingFile);
  cmd->add_option("--method,-m", o.method, "Take the types from this method of the --did service");
  if (encode)
    cmd->add_flag("--results", o.other_side, "With --method: encode the method's results instead of its arguments");
  else
    cmd->add_flag("--args", o.other_side, "With --method: decode the method's arguments instead of its results");
}

}  // namespace

void add_candid_commands(CLI::App& app, Context& ctx) {
  auto* candid = app.add_subcommand("candid", "Encode and decode Candid values (like didc)");
  candid->require_subcommand(1);

  static TypeOptions enc_opts, dec_opts;
  static std::string enc_input, dec_input;

  auto* enc = candid->add_subcommand("encode", "Candid text '(…)' to the binary message, printed as hex");
  enc->footer("Examples:\n  hubctl candid encode '(42 : nat)'                       # 4449444c00017d2a\n"
              "  hubctl candid encode --did candid/staking_hub.did --method list_shards '(0, 10)'");
  add_type_options(enc, enc_opts, true);
  enc->add_option("ARGS", enc_input, "Arguments in Candid text, e.g. '(42 : nat, \"hi\")'; - reads stdin")
      ->required();
  set_runner(enc, [&ctx]() -> int {
    auto text = read_arg_or_stdin(enc_input, "ARGS");
    if (!text) return ctx.fail(text.error());
    auto typed = resolve_types(enc_opts, true);
    if (!typed) return ctx.fail(typed.error(), kUsage);  // a bad --did/--method/--types is a usage error
    // With or without --did, type names in annotations resolve in typed->env; dropped fields are warned about.
    std::vector<std::string> warnings;
    candid::text::ParseOptions popts;
    popts.warnings = &warnings;
    auto args = candid::text::parse_args(*text, typed->env, typed->present ? &typed->types : nullptr, popts);
    if (!args) return ctx.fail(args.error());
    for (const auto& w : warnings) ctx.warn(w);
    auto bytes = candid::encode(*args);
    if (!bytes) return ctx.fail(bytes.error());
    std::string hex = ic::to_hex(*bytes);
    if (ctx.json)
      ctx.print_json({{"ok", true}, {"hex", hex}, {"types", type_list(*args)}, {"warnings", warnings}});
    else
      std::cout << hex << "\n";
    return kOk;
  });

  auto* dec = candid->add_subcommand("decode", "A binary Candid message (hex) to Candid text");
  dec->footer("Examples:\n  hubctl candid decode 4449444c00017d2a                   # (42 : nat)\n"
              "  hubctl candid decode --types '(record { a : nat })' 4449444c016c01617d01002a --json");
  add_type_options(dec, dec_opts, false);
  dec->add_option("HEX", dec_input, "The message in hex (starting 4449444c); - reads stdin")->required();
  set_runner(dec, [&ctx]() -> int {
    auto hex = read_arg_or_stdin(dec_input, "HEX");
    if (!hex) return ctx.fail(hex.error());
    auto bytes = ic::from_hex(*hex);
    if (!bytes) return ctx.fail(bytes.error());
    auto typed = resolve_types(dec_opts, false);
    if (!typed) return ctx.fail(typed.error(), kUsage);  // a bad --did/--method/--types is a usage error
    auto args = typed->present ? candid::decode(*bytes, &typed->env.table, &typed->types) : candid::decode(*bytes);
    if (!args) return ctx.fail(args.error());
    if (ctx.json)  // one line: a JSON string is no place for didc's 80-column layout
      ctx.print_json({{"ok", true}, {"text", candid::text::print_args(*args, candid::text::PrintOptions{0})}});
    else
      std::cout << candid::text::print_args(*args) << "\n";
    return kOk;
  });
}

}  // namespace cli
