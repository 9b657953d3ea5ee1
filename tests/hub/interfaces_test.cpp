// hub interfaces + CView: the suite's .did files are embedded, replies decode at their method types, and
// fields are read by name (numbers flattened with dots) with errors that name the path.
#include <catch2/catch.hpp>

#include "candid/binary.h"
#include "candid/text/text.h"
#include "hub/interfaces.h"

TEST_CASE("embedded interfaces parse") {
  auto names = hub::suite_did_names();
  REQUIRE_FALSE(names.empty());
  for (auto& n : names) {
    INFO(n);
    auto did = hub::suite_interface(n);
    REQUIRE(did.ok());
    CHECK((*did)->service.has_value());
  }
  auto none = hub::suite_interface("no_such_canister");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ic::Errc::not_found);
}

TEST_CASE("CView reads a record by name") {
  candid::TypeTable t;
  auto inner = t.record({candid::field("count", candid::ref(candid::Op::Nat64)),
                         candid::field("amount", candid::ref(candid::Op::Nat))});
  auto err = t.opt(candid::ref(candid::Op::Text));
  auto rec = t.record({candid::field("user_count", candid::ref(candid::Op::Nat64)),
                       candid::field("pending", inner), candid::field("last_error", err),
                       candid::field("owner", candid::ref(candid::Op::Principal))});
  std::vector<candid::TypeRef> types{rec};
  auto args = candid::text::parse_args(
      R"((record { user_count = 12; pending = record { count = 2; amount = 300_000 }; last_error = opt "boom";
           owner = principal "aaaaa-aa" }))",
      &t, &types);
  REQUIRE(args.ok());
  auto bytes = candid::encode(*args);
  REQUIRE(bytes.ok());
  auto back = candid::decode(*bytes, &t, &types);
  REQUIRE(back.ok());
  hub::CView v(back->table, back->types[0], back->values[0]);
  CHECK(v.field("user_count").value().u64().value() == 12);
  auto nums = v.numbers();
  CHECK(nums.at("pending.amount") == ic::BigNat(300'000));
  CHECK(nums.at("pending.count") == ic::BigNat(2));
  CHECK(nums.count("last_error") == 0);
  auto e = v.field("last_error").value().opt().value();
  REQUIRE(e);
  CHECK(e->text().value() == "boom");
  CHECK(v.field("owner").value().principal().value().to_text() == "aaaaa-aa");
  auto missing = v.field("nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("reply has no field `nope`") != std::string::npos);
  auto wrong = v.field("owner").value().text();
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("reply.owner is principal") != std::string::npos);
}

TEST_CASE("Ok/Err variants") {
  candid::TypeTable t;
  auto res = t.variant({candid::field("Ok", candid::ref(candid::Op::Nat)), candid::field("Err", candid::ref(candid::Op::Text))});
  std::vector<candid::TypeRef> types{res};
  auto ok = candid::text::parse_args("(variant { Ok = 5 })", &t, &types).value();
  CHECK(hub::CView(ok.table, ok.types[0], ok.values[0]).ok().value().nat().value() == ic::BigNat(5));
  auto err = candid::text::parse_args("(variant { Err = \"no allowance\" })", &t, &types).value();
  auto r = hub::CView(err.table, err.types[0], err.values[0]).ok();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ic::Errc::rejected);
  CHECK(r.error().message.find("Err \"no allowance\"") != std::string::npos);
}
