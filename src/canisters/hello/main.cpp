// hello: the smallest canister that exercises the wasm32 toolchain, the runtime and the Candid codec.
// Interface: service : { greet : (text) -> (text) query; inc : () -> (nat) }
#include <string>
#include <vector>

#include "candid/types.h"
#include "candid/value.h"
#include "cdk/candid_io.h"
#include "cdk/runtime.h"

namespace {

using candid::Op;
using candid::Value;

const candid::TypeTable kNoComposites;
const std::vector<candid::TypeRef> kText{candid::ref(Op::Text)};
const std::vector<candid::TypeRef> kNat{candid::ref(Op::Nat)};
const std::vector<candid::TypeRef> kNone;

// Globals with constructors: they only hold their values if canister_init ran the static constructors.
const std::string kGreeting = "Hello, ";
ic::BigNat counter;

}  // namespace

CDK_QUERY(greet) {
  candid::Args args = cdk::candid_args("greet", kNoComposites, kText);
  cdk::reply_candid(kNoComposites, kText, {Value::of_text(kGreeting + args.values[0].text + "!")});
}

CDK_UPDATE(inc) {
  cdk::candid_args("inc", kNoComposites, kNone);
  counter.add_small(1);
  cdk::reply_candid(kNoComposites, kNat, {Value::of_nat(counter)});
}
