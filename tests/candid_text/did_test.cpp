// The `.did` parser: definitions, recursion, services with init arguments, errors with positions.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "candid/text/did.h"
#include "candid/text/text.h"

using namespace candid;
using candid::text::DidFile;
using candid::text::parse_did;

namespace {

DidFile did(const std::string& src) {
  auto r = parse_did(src);
  INFO(src << "\n" << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

ic::Error did_err(const std::string& src) {
  auto r = parse_did(src);
  INFO(src);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

std::string show(const DidFile& f, const std::string& name) {
  REQUIRE(f.names.count(name));
  return text::print_type(f, f.names.at(name));
}

}  // namespace

const char* kLedgerLike = R"(
// A service in the style of our canisters' interfaces.
type Account = record { owner : principal; subaccount : opt blob };
type Tokens = nat;
type TransferError = variant {
  BadFee : record { expected_fee : Tokens };
  InsufficientFunds : record { balance : Tokens };
  TooOld;
  GenericError : record { error_code : nat; message : text };
};
type Result = variant { Ok : nat; Err : TransferError };
type Callback = func (nat) -> () oneway;
/* block /* nested */ comment */
type InitArgs = record { minting_account : Account; "initial balances" : vec record { Account; Tokens } };
service ledger : (InitArgs) -> {
  icrc1_balance_of : (account : Account) -> (Tokens) query;
  icrc1_transfer : (record { to : Account; amount : Tokens }) -> (Result);
  "odd method" : () -> ();
  notify : Callback;
  peek : (nat) -> (opt Account) composite_query;
}
)";

TEST_CASE("a service with init args, modes, named and quoted methods") {
  DidFile f = did(kLedgerLike);
  REQUIRE(f.service);
  CHECK(f.has_init);
  REQUIRE(f.init_args.size() == 1);
  CHECK(f.init_args[0] == f.names.at("InitArgs"));
  CHECK(f.names.at("Tokens") == ref(Op::Nat));

  auto bal = f.method("icrc1_balance_of");
  REQUIRE(bal.ok());
  CHECK(bal->is_query());
  REQUIRE(bal->args.size() == 1);
  CHECK(bal->args[0] == f.names.at("Account"));
  CHECK(bal->results == std::vector<TypeRef>{ref(Op::Nat)});
  auto notify = f.method("notify");
  REQUIRE(notify.ok());
  CHECK(notify->modes == std::vector<FuncMode>{FuncMode::Oneway});
  CHECK(f.method("peek")->modes == std::vector<FuncMode>{FuncMode::CompositeQuery});
  CHECK(f.method("odd method").ok());
  auto missing = f.method("transfer");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ic::Errc::not_found);
  CHECK(missing.error().hint == "available methods: icrc1_balance_of, icrc1_transfer, notify, odd method, peek");

  // Methods are sorted by name (binary format order), fields by id.
  const TypeNode& svc = f.table.node(*f.service);
  CHECK(svc.methods.front().name == "icrc1_balance_of");
  CHECK(show(f, "Account") == "record { owner : principal; subaccount : opt blob }");
  CHECK(show(f, "TransferError") ==
        "variant { GenericError : record { message : text; error_code : nat }; BadFee : record { expected_fee : nat }; "
        "TooOld; InsufficientFunds : record { balance : nat } }");
  CHECK(show(f, "InitArgs") ==
        "record { minting_account : Account; \"initial balances\" : vec record { Account; nat } }");
  CHECK(show(f, "Callback") == "func (nat) -> () oneway");

  // Values typed by the file's method arguments.
  auto args = text::parse_args("(record { to = record { owner = principal \"aaaaa-aa\" }; amount = 5 })", &f.table,
                               &f.method("icrc1_transfer")->args);
  REQUIRE(args.ok());
  CHECK(text::print_args(*args) ==
        "(\n"
        "  record {\n"
        "    to = record { owner = principal \"aaaaa-aa\"; subaccount = null };\n"
        "    amount = 5 : nat;\n"
        "  },\n"
        ")");
}

TEST_CASE("service forms: no init, named service type, init with a named service") {
  DidFile a = did("service : { f : () -> () }");
  CHECK_FALSE(a.has_init);
  CHECK(a.method("f").ok());
  DidFile b = did("type S = service { g : (text) -> (nat) query }; service : (nat, text) -> S;");
  CHECK(b.has_init);
  CHECK(b.init_args == std::vector<TypeRef>{ref(Op::Nat), ref(Op::Text)});
  CHECK(*b.service == b.names.at("S"));
  CHECK(b.method("g")->is_query());
  DidFile c = did("type S = service { g : () -> () }; service s : S");
  CHECK(c.method("g").ok());
  DidFile none = did("type A = nat;");
  CHECK_FALSE(none.service);
  CHECK(none.method("x").error().code == ic::Errc::not_found);
  DidFile empty = did("");
  CHECK(empty.names.empty());
  CHECK(did_err("type S = record {}; service : S").message ==
        "1:31: the service's type `S` is record {}, not a service");
}

TEST_CASE("recursive and mutually recursive definitions") {
  DidFile f = did(
      "type List = opt record { head : int; tail : List };"
      "type Tree = variant { leaf : int; node : record { left : Tree; right : Tree } };"
      "type A = opt B; type B = record { a : A; f : F }; type F = func (A) -> (B);"
      "type Alias = List; type Alias2 = Alias;");
  TypeRef list = f.names.at("List");
  REQUIRE(f.table.op(list) == Op::Opt);
  const TypeNode& rec = f.table.node(f.table.node(list).inner);
  REQUIRE(rec.fields.size() == 2);
  CHECK(rec.fields[1].type == list);  // `tail` (hash of "tail" > "head") points back at List
  CHECK(f.names.at("Alias2") == list);
  CHECK(show(f, "List") == "opt record { head : int; tail : List }");
  CHECK(show(f, "B") == "record { a : A; f : F }");
  CHECK(text::print_type(f.table, list) == "opt record { head : int; tail : rec_" + std::to_string(list) + " }");

  // print_did re-parses to the same structure.
  std::string printed = text::print_did(f);
  DidFile g = did(printed);
  for (const auto& [name, r] : f.names) {
    INFO(name << " in\n" << printed);
    CHECK(text::print_type(g, g.names.at(name)) == text::print_type(f, r));
  }
}

TEST_CASE("record and variant type shorthands") {
  DidFile f = did(
      "type T = record { nat; text; 5 : bool; opt nat; 0x10 : int };"
      "type V = variant { a; 3; \"x y\" : nat; b : null };"
      "type B = blob;");
  const TypeNode& t = f.table.node(f.names.at("T"));
  std::vector<uint32_t> ids;
  for (const auto& fl : t.fields) ids.push_back(fl.id);
  CHECK(ids == std::vector<uint32_t>{0, 1, 5, 6, 16});
  CHECK(show(f, "T") == "record { 0 : nat; 1 : text; 5 : bool; 6 : opt nat; 16 : int }");
  CHECK(show(f, "V") == "variant { 3; a; b; \"x y\" : nat }");
  CHECK(f.table.node(f.names.at("B")).inner == ref(Op::Nat8));
  CHECK(show(f, "B") == "blob");
}

TEST_CASE(".did errors are refused with line:column") {
  CHECK(did_err("type A = A;").message == "1:6: type `A` is not productive: A -> A");
  CHECK(did_err("type A = B;\ntype B = A;").message == "1:6: type `A` is not productive: A -> B -> A");
  CHECK(did_err("type A = record {\n  x : Missing };").message == "2:7: unknown type `Missing`");
  CHECK(did_err("type A = nat; type A = int;").message == "1:20: type `A` is defined twice (first at 1:6)");
  CHECK(did_err("type A = record { a : nat; a : int };").message ==
        "1:28: field `a` has the same id (97) as field `a`");
  CHECK(did_err("type A = record { 97 : nat; a : int };").message.find("same id (97)") != std::string::npos);
  CHECK(did_err("service : { m : () -> (); m : () -> () }").message == "1:27: method `m` is declared twice");
  CHECK(did_err("type R = record {}; service : { m : R }").message.find("method `m` must have a function type") !=
        std::string::npos);
  CHECK(did_err("type F = func () -> (nat) oneway;").message.find("cannot have results") != std::string::npos);
  CHECK(did_err("type F = func () -> () query oneway;").message.find("at most one of") != std::string::npos);
  CHECK(did_err("type A = record { a : nat }\ntype B = nat;").message == "2:1: expected `;` after the definition of `A`, found `type`");
  CHECK(did_err("type nat = int;").message == "1:6: `nat` is a keyword and cannot name a type");
  CHECK(did_err("service : {}; type A = nat;").message.find("end of file after the service") != std::string::npos);
  CHECK(did_err("type A = record { 4294967296 : nat };").message.find("does not fit 32 bits") != std::string::npos);
  ic::Error imp = did_err("import \"other.did\";\nservice : {}");
  CHECK(imp.code == ic::Errc::unsupported);
  CHECK(imp.message == "1:1: `import \"other.did\"` is not supported");

  std::string deep = "type A = ";
  for (int i = 0; i < 10000; ++i) deep += "opt ";
  deep += "nat;";
  CHECK(did_err(deep).message.find("nested more than") != std::string::npos);
}

TEST_CASE("type lists and load_did") {
  DidFile env = did("type Id = nat64;");
  auto l = text::parse_type_list("(Id, record { a : Id }, opt text)", env);
  REQUIRE(l.ok());
  REQUIRE(l->size() == 3);
  CHECK((*l)[0] == ref(Op::Nat64));
  CHECK(text::print_type(env.table, (*l)[1]) == "record { a : nat64 }");
  // A bare type is a list of one; definitions may precede the list and join the environment.
  auto one = text::parse_type_list("vec Id", env);
  REQUIRE(one.ok());
  CHECK(text::print_type(env.table, (*one)[0]) == "vec nat64");
  auto defs = text::parse_type_list("type P = record { x : Id }; (P, named : P)", env);
  REQUIRE(defs.ok());
  CHECK(env.names.count("P"));
  CHECK((*defs)[0] == (*defs)[1]);
  auto t = text::parse_type("opt Id", env);
  REQUIRE(t.ok());
  CHECK(text::print_type(env.table, *t) == "opt nat64");
  CHECK_FALSE(text::parse_type("(nat)", env).ok());
  CHECK(text::parse_type_list("(Nope)", env).error().message == "1:2: unknown type `Nope`");
  CHECK(text::parse_type_list("()", env)->empty());

  std::string path = std::string(HUBCTL_BUILD_DIR) + "/candid_text_test.did";
  {
    std::ofstream o(path);
    o << kLedgerLike;
  }
  auto loaded = text::load_did(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->method("peek").ok());
  {
    std::ofstream o(path);
    o << "type A = ;";
  }
  auto bad = text::load_did(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == path + ":1:10: expected a type, found `;`");
  std::remove(path.c_str());
  auto gone = text::load_did(path);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == ic::Errc::io);
}
