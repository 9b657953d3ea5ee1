#include "agent/management.h"

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "ic/sha2.h"

namespace agent {
namespace {

// The part of the interface spec's ic.did (ic-protocol.md §5.2) these helpers use. Reply fields that
// older replicas may lack are `opt` here: a present value still decodes into them (Candid's opt rule).
constexpr const char* kManagementDid = R"(
type canister_id = principal;
type log_visibility = variant { controllers; public; allowed_viewers : vec principal };
type canister_settings = record {
  controllers : opt vec principal; compute_allocation : opt nat; memory_allocation : opt nat;
  freezing_threshold : opt nat; reserved_cycles_limit : opt nat; log_visibility : opt log_visibility;
  wasm_memory_limit : opt nat; wasm_memory_threshold : opt nat;
};
type definite_canister_settings = record {
  controllers : vec principal; compute_allocation : opt nat; memory_allocation : opt nat;
  freezing_threshold : opt nat; reserved_cycles_limit : opt nat; wasm_memory_limit : opt nat;
};
type canister_install_mode = variant { install; reinstall;
  upgrade : opt record { skip_pre_upgrade : opt bool; wasm_memory_persistence : opt variant { keep; replace } } };
type chunk_hash = record { hash : blob };
service : {
  canister_status : (record { canister_id : canister_id }) -> (record {
    status : variant { running; stopping; stopped }; settings : definite_canister_settings;
    module_hash : opt blob; memory_size : nat; cycles : nat; reserved_cycles : opt nat;
    idle_cycles_burned_per_day : opt nat });
  install_code : (record { mode : canister_install_mode; canister_id : canister_id; wasm_module : blob;
    arg : blob; sender_canister_version : opt nat64 }) -> ();
  upload_chunk : (record { canister_id : canister_id; chunk : blob }) -> (chunk_hash);
  clear_chunk_store : (record { canister_id : canister_id }) -> ();
  install_chunked_code : (record { mode : canister_install_mode; target_canister : canister_id;
    store_canister : opt canister_id; chunk_hashes_list : vec chunk_hash; wasm_module_hash : blob; arg : blob;
    sender_canister_version : opt nat64 }) -> ();
  update_settings : (record { canister_id : canister_id; settings : canister_settings;
    sender_canister_version : opt nat64 }) -> ();
  start_canister : (record { canister_id : canister_id }) -> ();
  stop_canister : (record { canister_id : canister_id }) -> ();
  provisional_create_canister_with_cycles : (record { amount : opt nat; settings : opt canister_settings;
    specified_id : opt canister_id; sender_canister_version : opt nat64 }) -> (record { canister_id : canister_id });
  provisional_top_up_canister : (record { canister_id : canister_id; amount : nat }) -> ();
}
)";

const candid::text::DidFile& management_did() {
  static const candid::text::DidFile did = candid::text::parse_did(kManagementDid).value();
  return did;
}

ic::Result<candid::Args> parse_arg(const std::string& method, const std::string& text) {
  const auto& did = management_did();
  IC_TRY(candid::FuncType f, did.method(method));
  return candid::text::parse_args(text, did, &f.args);
}

std::string principal_text(const ic::Principal& p) { return "principal \"" + p.to_text() + "\""; }

std::string mode_text(InstallMode m) {
  switch (m) {
    case InstallMode::Install: return "variant { install }";
    case InstallMode::Reinstall: return "variant { reinstall }";
    case InstallMode::Upgrade: return "variant { upgrade = null }";
  }
  return "";
}

// Replaces the (placeholder) blob field `name` of the record argument.
void set_blob(candid::Args& a, std::string_view name, ic::ByteView bytes) {
  uint32_t id = candid::field_hash(name);
  for (auto& f : a.values[0].fields)
    if (f.id == id) f.value.bytes.assign(bytes.begin(), bytes.end());
}

// Calls aaaaa-aa's `method` for `canister` (its effective canister id, §5.1) and decodes the reply.
ic::Result<candid::Args> management_call(Agent& agent, const ic::Principal& canister, const std::string& method,
                                         const candid::Args& arg) {
  IC_TRY(ic::Bytes bytes, candid::encode(arg));
  IC_TRY(Reply r, agent.call(ic::Principal::management(), method, bytes, canister));
  if (r.rejected) return reject_to_error(r, method + " for canister " + canister.to_text());
  const auto& did = management_did();
  IC_TRY(candid::FuncType f, did.method(method));
  auto decoded = candid::decode(r.arg, &did.table, &f.results);
  if (!decoded) return std::move(decoded).take_error().context("reply of " + method);
  return decoded;
}

ic::Status simple(Agent& agent, const ic::Principal& canister, const std::string& method) {
  IC_TRY(auto arg, parse_arg(method, "(record { canister_id = " + principal_text(canister) + " })"));
  IC_TRY(auto reply, management_call(agent, canister, method, arg));
  return {};
}

std::optional<ic::BigNat> opt_nat(const candid::Value* v) {
  if (!v || v->kind != candid::Op::Opt || v->items.empty()) return std::nullopt;
  return v->items[0].number.magnitude();
}

}  // namespace

ic::Result<ic::Bytes> encode_management_arg(const std::string& method, const std::string& text) {
  IC_TRY(auto a, parse_arg(method, text));
  return candid::encode(a);
}

const char* install_mode_name(InstallMode m) {
  switch (m) {
    case InstallMode::Install: return "install";
    case InstallMode::Reinstall: return "reinstall";
    case InstallMode::Upgrade: return "upgrade";
  }
  return "?";
}

ic::Result<CanisterInfo> canister_info(Agent& agent, const ic::Principal& canister) {
  auto path = [&](std::string_view leaf) {
    return ic::Path{ic::to_bytes("canister"), canister.bytes(), ic::to_bytes(leaf)};
  };
  IC_TRY(CertifiedState st, agent.read_state(canister, {path("module_hash"), path("controllers")}));
  CanisterInfo info;
  info.canister = canister;
  info.time_ns = st.info.time_ns;
  info.subnet = st.info.subnet_id;
  IC_TRY(info.controllers, lookup_controllers(st.certificate, canister));
  IC_TRY(info.module_hash, lookup_module_hash(st.certificate, canister));
  return info;
}

ic::Result<CanisterStatus> canister_status(Agent& agent, const ic::Principal& canister) {
  IC_TRY(auto arg, parse_arg("canister_status", "(record { canister_id = " + principal_text(canister) + " })"));
  IC_TRY(candid::Args reply, management_call(agent, canister, "canister_status", arg));
  CanisterStatus s;
  const candid::Value& r = reply.values.at(0);
  if (const candid::Value* st = r.field("status"); st && !st->fields.empty()) {
    for (const char* name : {"running", "stopping", "stopped"})
      if (st->fields[0].id == candid::field_hash(name)) s.status = name;
  }
  if (const candid::Value* mh = r.field("module_hash"); mh && !mh->items.empty()) s.module_hash = mh->items[0].bytes;
  if (const candid::Value* v = r.field("memory_size")) s.memory_size = v->number.magnitude();
  if (const candid::Value* v = r.field("cycles")) s.cycles = v->number.magnitude();
  s.reserved_cycles = opt_nat(r.field("reserved_cycles"));
  s.idle_cycles_burned_per_day = opt_nat(r.field("idle_cycles_burned_per_day"));
  if (const candid::Value* set = r.field("settings")) {
    if (const candid::Value* c = set->field("controllers"))
      for (const auto& p : c->items)
        if (auto pr = ic::Principal::from_bytes(p.bytes)) s.controllers.push_back(*pr);
    std::sort(s.controllers.begin(), s.controllers.end());
    s.freezing_threshold = opt_nat(set->field("freezing_threshold"));
    s.compute_allocation = opt_nat(set->field("compute_allocation"));
    s.memory_allocation = opt_nat(set->field("memory_allocation"));
    s.wasm_memory_limit = opt_nat(set->field("wasm_memory_limit"));
  }
  s.reply = std::move(reply);
  return s;
}

ic::Status install_code(Agent& agent, const ic::Principal& canister, ic::ByteView wasm, ic::ByteView arg,
                        InstallMode mode, const std::function<void(const std::string&)>& progress) {
  auto note = [&](const std::string& s) {
    if (progress) progress(s);
  };
  std::string id = principal_text(canister);
  if (wasm.size() + arg.size() + kEnvelopeReserve <= kMaxIngressBytes) {
    IC_TRY(auto a, parse_arg("install_code", "(record { mode = " + mode_text(mode) + "; canister_id = " + id +
                                                 "; wasm_module = blob \"\"; arg = blob \"\" })"));
    set_blob(a, "wasm_module", wasm);
    set_blob(a, "arg", arg);
    note(std::string(install_mode_name(mode)) + " " + std::to_string(wasm.size()) + " bytes on " + canister.to_text());
    IC_TRY(auto r, management_call(agent, canister, "install_code", a));
    return {};
  }
  if (arg.size() + kEnvelopeReserve > kMaxIngressBytes)
    return ic::make_error(ic::Errc::limit, "the install argument (" + std::to_string(arg.size()) +
                                               " bytes) does not fit in one 2 MiB ingress message");
  IC_CHECK(simple(agent, canister, "clear_chunk_store"));
  std::string hashes;
  size_t n = (wasm.size() + kChunkBytes - 1) / kChunkBytes;
  for (size_t i = 0; i < n; ++i) {
    ic::ByteView chunk = wasm.subspan(i * kChunkBytes, std::min(kChunkBytes, wasm.size() - i * kChunkBytes));
    IC_TRY(auto a, parse_arg("upload_chunk", "(record { canister_id = " + id + "; chunk = blob \"\" })"));
    set_blob(a, "chunk", chunk);
    note("uploading chunk " + std::to_string(i + 1) + "/" + std::to_string(n) + " to " + canister.to_text());
    IC_TRY(candid::Args r, management_call(agent, canister, "upload_chunk", a));
    ic::Hash256 expect = ic::sha256(chunk);
    const candid::Value* h = r.values.at(0).field("hash");
    if (!h || h->bytes != ic::Bytes(expect.begin(), expect.end()))
      return ic::make_error(ic::Errc::crypto, "upload_chunk " + std::to_string(i + 1) + " returned a hash that is not the chunk's SHA-256");
    hashes += "record { hash = blob \"";
    for (uint8_t b : expect) {
      static const char* hex = "0123456789abcdef";
      hashes += '\\';
      hashes += hex[b >> 4];
      hashes += hex[b & 15];
    }
    hashes += "\" }; ";
  }
  ic::Hash256 module_hash = ic::sha256(wasm);
  IC_TRY(auto a, parse_arg("install_chunked_code", "(record { mode = " + mode_text(mode) + "; target_canister = " + id +
                                                       "; chunk_hashes_list = vec { " + hashes +
                                                       "}; wasm_module_hash = blob \"\"; arg = blob \"\" })"));
  set_blob(a, "wasm_module_hash", module_hash);
  set_blob(a, "arg", arg);
  note(std::string(install_mode_name(mode)) + " " + std::to_string(wasm.size()) + " bytes in " + std::to_string(n) +
       " chunks on " + canister.to_text());
  IC_TRY(auto r, management_call(agent, canister, "install_chunked_code", a));
  return simple(agent, canister, "clear_chunk_store");
}

ic::Result<ic::Principal> provisional_create_canister(Agent& agent, const ic::BigNat& cycles,
                                                      const std::vector<ic::Principal>& controllers,
                                                      const std::optional<ic::Principal>& specified_id,
                                                      const ic::Principal& effective_canister) {
  std::string ctl = "opt record { controllers = opt vec { ";
  for (auto& p : controllers) ctl += principal_text(p) + "; ";
  ctl += "} }";
  IC_TRY(auto a, parse_arg("provisional_create_canister_with_cycles",
                           "(record { amount = opt (" + cycles.to_decimal() + " : nat); settings = " + ctl +
                               "; specified_id = " + (specified_id ? "opt " + principal_text(*specified_id) : "null") +
                               " })"));
  // §5.1: any effective canister id inside the subnet's ranges routes a provisional create.
  ic::Principal ecid = specified_id ? *specified_id : effective_canister;
  IC_TRY(candid::Args r, management_call(agent, ecid, "provisional_create_canister_with_cycles", a));
  const candid::Value* id = r.values.empty() ? nullptr : r.values[0].field(std::string_view("canister_id"));
  if (!id) return ic::make_error(ic::Errc::decode, "provisional_create_canister_with_cycles: no canister_id in the reply");
  return ic::Principal::from_bytes(id->bytes);
}

ic::Status provisional_top_up(Agent& agent, const ic::Principal& canister, const ic::BigNat& cycles) {
  IC_TRY(auto a, parse_arg("provisional_top_up_canister", "(record { canister_id = " + principal_text(canister) +
                                                             "; amount = " + cycles.to_decimal() + " : nat })"));
  IC_TRY(auto r, management_call(agent, canister, "provisional_top_up_canister", a));
  return {};
}

ic::Status update_settings(Agent& agent, const ic::Principal& canister, const CanisterSettings& s) {
  std::string fields;
  auto nat = [&](const char* name, const std::optional<ic::BigNat>& v) {
    if (v) fields += std::string(name) + " = opt (" + v->to_decimal() + " : nat); ";
  };
  if (s.controllers) {
    fields += "controllers = opt vec { ";
    for (auto& p : *s.controllers) fields += principal_text(p) + "; ";
    fields += "}; ";
  }
  nat("compute_allocation", s.compute_allocation);
  nat("memory_allocation", s.memory_allocation);
  nat("freezing_threshold", s.freezing_threshold);
  nat("reserved_cycles_limit", s.reserved_cycles_limit);
  nat("wasm_memory_limit", s.wasm_memory_limit);
  nat("wasm_memory_threshold", s.wasm_memory_threshold);
  if (s.log_visibility) {
    if (*s.log_visibility != "controllers" && *s.log_visibility != "public")
      return ic::make_error(ic::Errc::invalid_input, "log visibility must be `controllers` or `public`");
    fields += "log_visibility = opt variant { " + *s.log_visibility + " }; ";
  }
  IC_TRY(auto a, parse_arg("update_settings",
                           "(record { canister_id = " + principal_text(canister) + "; settings = record { " + fields + "} })"));
  IC_TRY(auto r, management_call(agent, canister, "update_settings", a));
  return {};
}

ic::Status start_canister(Agent& agent, const ic::Principal& canister) { return simple(agent, canister, "start_canister"); }
ic::Status stop_canister(Agent& agent, const ic::Principal& canister) { return simple(agent, canister, "stop_canister"); }

}  // namespace agent
