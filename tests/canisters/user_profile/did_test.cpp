// The canister's .did (embedded as `icp:public candid:service`) against the Candid signatures the kit records
// for every typed method it exports (compiled natively): same methods, same query/update kind, equal types.
#include <catch2/catch.hpp>

#include "candid/text/did.h"
#include "candid/types.h"
#include "cdk/runtime.h"

TEST_CASE("the .did file describes exactly the methods the canister exports") {
  auto did = candid::text::load_did(DID_FILE);
  INFO(DID_FILE);
  REQUIRE(did.ok());
  size_t checked = 0, faults = 0;
  for (const std::string& name : cdk::detail::export_names()) {
    bool query = name.rfind("canister_query ", 0) == 0;
    bool update = name.rfind("canister_update ", 0) == 0;
    if (!query && !update) continue;
    std::string method = name.substr(name.find(' ') + 1);
    if (method.rfind("__", 0) == 0) continue;  // the kit's own (__cdk_timer)
    if (method.rfind("fault_", 0) == 0) ++faults;
    INFO(method);
    auto f = did->method(method);
    REQUIRE(f.ok());
    CHECK(f->is_query() == query);
    auto sig = cdk::detail::find_signature(name);
    REQUIRE(sig);
    std::string text = sig();
    INFO(text);
    size_t arrow = text.find(" -> ");
    auto args = candid::text::parse_type_list(text.substr(0, arrow), *did);
    auto results = candid::text::parse_type_list(text.substr(arrow + 4), *did);
    REQUIRE(args.ok());
    REQUIRE(results.ok());
    auto same = [&](const std::vector<candid::TypeRef>& a, const std::vector<candid::TypeRef>& b) {
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!candid::is_subtype(did->table, a[i], did->table, b[i]) ||
            !candid::is_subtype(did->table, b[i], did->table, a[i]))
          return false;
      return true;
    };
    CHECK(same(*args, f->args));
    CHECK(same(*results, f->results));
    ++checked;
  }
  const auto& methods = did->table.node(*did->service).methods;
  CHECK(checked == methods.size());
#ifdef EXPECT_FAULTS
  CHECK(faults > 0);
#else
  CHECK(faults == 0);
#endif
}
