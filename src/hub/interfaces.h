// hub interfaces: the Candid interfaces of the suite (candid/*.did, embedded when hubctl is built), so hubctl
// encodes arguments and decodes replies of the hub, shards, content and ledger by name and type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "candid/text/did.h"
#include "candid/value.h"
#include "hub/candid_view.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace hub {

// "staking_hub", "user_profile", "learning_content", "icrc1_ledger" (and whatever else candid/ holds);
// empty when the file was not there at build time.
std::string_view suite_did_text(std::string_view name);
std::vector<std::string> suite_did_names();
// Parsed once per process; not_found when the interface is not embedded.
ic::Result<const candid::text::DidFile*> suite_interface(std::string_view name);

// A decoded reply and the view of its first value (most methods return one value).
struct Reply {
  candid::Args args;
  CView first() const { return CView(args.table, args.types.at(0), args.values.at(0)); }
  CView at(size_t i) const { return CView(args.table, args.types.at(i), args.values.at(i), "reply " + std::to_string(i)); }
};

// Arguments in Candid text, typed by the method's parameters.
ic::Result<ic::Bytes> encode_call_args(std::string_view canister, std::string_view method, std::string_view candid_text);
// The init (class) arguments of the service, in Candid text.
ic::Result<ic::Bytes> encode_init_args(std::string_view canister, std::string_view candid_text);
// Decodes a reply at the method's result types (with Candid subtyping, so older/newer peers still decode).
ic::Result<Reply> decode_reply(std::string_view canister, std::string_view method, ic::ByteView reply);

}  // namespace hub
