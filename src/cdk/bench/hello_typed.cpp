// hello_typed: src/canisters/hello's interface (greet, inc) on the kit's typed Candid instead of the generic
// codec, to compare module sizes (cdk-bench.md).
#include <string>

#include "cdk/method.h"
#include "ic/bignum.h"

namespace {
cdk::Heap<ic::BigNat> counter;
}

std::string greet(const std::string& name) { return "Hello, " + name + "!"; }
CDK_QUERY_FN(greet)

ic::BigNat inc() {
  counter->add_small(1);
  return *counter;
}
CDK_UPDATE_FN(inc)
