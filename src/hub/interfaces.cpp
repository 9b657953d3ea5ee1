// Embedded interfaces (generated suite_dids.inc) and the typed encode/decode helpers of interfaces.h.
#include "hub/interfaces.h"

#include <map>
#include <memory>
#include <mutex>

#include "candid/binary.h"
#include "candid/text/text.h"

namespace hub {

namespace {

struct EmbeddedDid {
  std::string_view name;
  std::string_view text;
};

#include "suite_dids.inc"  // const EmbeddedDid kSuiteDids[] = {...};

}  // namespace

std::string_view suite_did_text(std::string_view name) {
  for (auto& d : kSuiteDids)
    if (d.name == name) return d.text;
  return {};
}

std::vector<std::string> suite_did_names() {
  std::vector<std::string> out;
  for (auto& d : kSuiteDids)
    if (!d.name.empty()) out.emplace_back(d.name);
  return out;
}

ic::Result<const candid::text::DidFile*> suite_interface(std::string_view name) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<candid::text::DidFile>, std::less<>> parsed;
  std::lock_guard lock(mu);
  if (auto it = parsed.find(name); it != parsed.end()) return it->second.get();
  auto text = suite_did_text(name);
  if (text.empty())
    return ic::make_error(ic::Errc::not_found, "hubctl was built without the interface of " + std::string(name),
                          "rebuild hubctl from a source tree that has candid/" + std::string(name) + ".did");
  auto did = candid::text::parse_did(text);
  if (!did) return ic::Error(did.error()).context("candid/" + std::string(name) + ".did");
  auto* p = parsed.emplace(std::string(name), std::make_unique<candid::text::DidFile>(std::move(*did))).first->second.get();
  return p;
}

ic::Result<ic::Bytes> encode_call_args(std::string_view canister, std::string_view method, std::string_view text) {
  IC_TRY(const candid::text::DidFile* did, suite_interface(canister));
  IC_TRY(candid::FuncType f, did->method(method));
  IC_TRY(candid::Args args, candid::text::parse_args(text, *did, &f.args));
  return candid::encode(args);
}

ic::Result<ic::Bytes> encode_init_args(std::string_view canister, std::string_view text) {
  IC_TRY(const candid::text::DidFile* did, suite_interface(canister));
  IC_TRY(candid::Args args, candid::text::parse_args(text, *did, &did->init_args));
  return candid::encode(args);
}

ic::Result<Reply> decode_reply(std::string_view canister, std::string_view method, ic::ByteView reply) {
  IC_TRY(const candid::text::DidFile* did, suite_interface(canister));
  IC_TRY(candid::FuncType f, did->method(method));
  auto args = candid::decode(reply, &did->table, &f.results);
  if (!args)
    return ic::Error(args.error()).context(std::string(canister) + "." + std::string(method) + " reply");
  if (args->values.size() < f.results.size())
    return ic::make_error(ic::Errc::type_mismatch, std::string(canister) + "." + std::string(method) +
                                                       " replied with fewer values than its interface says");
  return Reply{std::move(*args)};
}

}  // namespace hub
