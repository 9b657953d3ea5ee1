// icrc1_ledger on the kit's mock: ICRC-1 transfers, fees and every error, mint/burn rules for the minting
// account (the hub), deduplication within the window, metadata, and the ICRC-3 log read the way hubctl's audit
// reads it: hub::icrc3 (src/hub/icrc3.cpp, its own Value hashing) re-verifies the phash chain up to the
// certified tip and sums the mints (SPEC.md I4).
#include <catch2/catch.hpp>

#include "candid/binary.h"
#include "candid/types.h"
#include "canisters/icrc1_ledger/logic.h"
#include "canisters/icrc1_ledger/state.h"
#include "canisters/icrc1_ledger/types.h"
#include "canisters/staking_hub/types.h"
#include "cdk/candid.h"
#include "cdk/mock/mock.h"
#include "hub/icrc3.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"

using cdk::mock::Env;
using ic::Principal;
using namespace icrc1_ledger;
namespace audit = hub::icrc3;

namespace {

constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kStart = 1'800'000'000 * kSec;
constexpr u128 kFee = 10'000;
const Principal kHub = Principal::from_canister_index(1);
Principal person(const std::string& name) { return Principal::self_authenticating(ic::as_view(std::string_view(name))); }
const Principal kAlice = person("alice");
const Principal kBob = person("bob");
Account acct(const Principal& p) { return Account{p, std::nullopt}; }
Account sub(const Principal& p, uint8_t n) {
  Blob s(32, 0);
  s[31] = n;
  return Account{p, s};
}

LedgerInit init_args(u128 fee = kFee) {
  return LedgerInit{acct(kHub), "Learning Token", "LRN", 8, fee, std::nullopt, std::nullopt};
}

Env& install(LedgerInit init = init_args()) {
  Env& ic = cdk::mock::fresh();
  ic.set_self(Principal::from_canister_index(3));
  ic.set_time(kStart);
  auto r = ic.install_with(init);
  INFO(r.reject_message);
  REQUIRE(r.replied());
  return ic;
}

TransferResult transfer(Env& ic, const Principal& from, const TransferArg& a) {
  ic.set_caller(from);
  return ic.update("icrc1_transfer", a).as<TransferResult>();
}
TransferArg to(const Account& a, u128 amount) {
  TransferArg t;
  t.to = a;
  t.amount = amount;
  return t;
}
u128 mint(Env& ic, const Account& a, u128 amount) {
  auto r = transfer(ic, kHub, to(a, amount));
  REQUIRE(r.is_ok());
  return r.value();
}
u128 balance(Env& ic, const Account& a) { return ic.query("icrc1_balance_of", a).as<u128>(); }
u128 supply(Env& ic) { return ic.query("icrc1_total_supply").as<u128>(); }

std::string text_of(u128 v) {
  std::string s;
  do {
    s.insert(s.begin(), char('0' + int(v % 10)));
    v /= 10;
  } while (v);
  return s;
}

// icrc3_get_blocks decoded generically and converted by the auditor's reader.
struct BlocksReply {
  uint64_t log_length = 0;
  std::vector<std::pair<uint64_t, audit::Value>> blocks;
  size_t archived = 0;
};
BlocksReply get_blocks(Env& ic, std::vector<BlockRange> ranges) {
  auto r = ic.query("icrc3_get_blocks", ranges);
  REQUIRE(r.replied());
  auto args = candid::decode(r.reply);
  REQUIRE(args.ok());
  const candid::Value& res = args->values.at(0);
  BlocksReply out;
  out.log_length = *res.field(std::string_view("log_length"))->number.magnitude().to_u64();
  out.archived = res.field(std::string_view("archived_blocks"))->items.size();
  for (const auto& b : res.field(std::string_view("blocks"))->items) {
    auto v = audit::from_candid(*b.field(std::string_view("block")));
    REQUIRE(v.ok());
    out.blocks.emplace_back(*b.field(std::string_view("id"))->number.magnitude().to_u64(), std::move(*v));
  }
  return out;
}

// What `hubctl audit` does with a ledger (src/hub/suite.cpp read_ledger): the tip certificate's tree must hash to
// the certified data in the certificate; then the chain is verified block by block up to the tip.
struct Audit {
  bool ok = false;
  std::string error;
  uint64_t length = 0;
  ic::BigNat minted, burned;
};
Audit audit_ledger(Env& ic) {
  Audit a;
  auto tip = ic.query("icrc3_get_tip_certificate").as<std::optional<TipCertificate>>();
  if (!tip) {
    a.ok = get_blocks(ic, {BlockRange{0, 1}}).log_length == 0;
    return a;
  }
  auto cert = ic::cbor::decode(tip->certificate);
  REQUIRE(cert.ok());
  const ic::cbor::Value* tree_cbor = cert->untagged().get("tree");
  REQUIRE(tree_cbor);
  auto cert_tree = ic::HashTree::from_cbor(*tree_cbor);
  REQUIRE(cert_tree.ok());
  auto cd = cert_tree->lookup_path(ic::Path{ic::to_bytes("canister"), ic.self().bytes(), ic::to_bytes("certified_data")});
  REQUIRE(cd.found());
  auto t = audit::read_tip(tip->hash_tree, cd.value);
  if (!t) {
    a.error = t.error().message;
    return a;
  }
  audit::ChainVerifier chain;
  uint64_t want = t->last_block_index + 1;
  while (chain.length() < want) {
    uint64_t start = chain.length();
    auto page = get_blocks(ic, {BlockRange{start, std::min<uint64_t>(100, want - start)}});
    if (page.blocks.empty()) {
      a.error = "no block at " + std::to_string(start);
      return a;
    }
    for (auto& [id, v] : page.blocks) {
      if (auto st = chain.add(id, v); !st.ok()) {
        a.error = st.error().message;
        return a;
      }
    }
  }
  if (!chain.last_hash() || *chain.last_hash() != t->last_block_hash) {
    a.error = "the chain does not end in the certified tip";
    return a;
  }
  a.ok = true;
  a.length = chain.length();
  a.minted = chain.minted();
  a.burned = chain.burned();
  return a;
}

// The auditor's Value from the ledger's Value (to hash both ways).
audit::Value to_audit(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blob: return audit::Value::of_blob(v.blob);
    case Value::Kind::Text: return audit::Value::of_text(v.text);
    case Value::Kind::Nat: return audit::Value::of_nat(ic::BigNat::from_decimal(text_of(v.nat)).value());
    case Value::Kind::Int: {
      bool neg = v.integer < 0;
      u128 mag = neg ? u128(-(v.integer + 1)) + 1 : u128(v.integer);
      return audit::Value::of_int(ic::BigInt(ic::BigNat::from_decimal(text_of(mag)).value(), neg));
    }
    case Value::Kind::Array: {
      std::vector<audit::Value> items;
      for (auto& e : v.array) items.push_back(to_audit(e));
      return audit::Value::of_array(std::move(items));
    }
    case Value::Kind::Map: {
      std::vector<std::pair<std::string, audit::Value>> m;
      for (auto& [k, e] : v.map) m.emplace_back(k, to_audit(e));
      return audit::Value::of_map(std::move(m));
    }
  }
  return {};
}

std::string hex(const ic::Hash256& h) { return ic::to_hex(h); }

}  // namespace

// ---------------------------------------------------------------- pure rules

TEST_CASE("logic: ICRC-3 value hashing (the standard's test vectors), LEB128, blocks, time window") {
  auto blob = [](std::initializer_list<uint8_t> b) { return Blob(b); };
  CHECK(hex(hash_value(Value::of_nat(42))) == "684888c0ebb17f374298b65ee2807526c066094c701bcc7ebbe1c1095f494fc1");
  CHECK(hex(hash_value(Value::of_int(-42))) == "de5a6f78116eca62d7fc5ce159d23ae6b889b365a1739ad2cf36f925a140d0cc");
  CHECK(hex(hash_value(Value::of_text("Hello, World!"))) ==
        "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f");
  CHECK(hex(hash_value(Value::of_blob(blob({1, 2, 3, 4})))) ==
        "9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a");
  CHECK(hex(hash_value(Value::of_array({Value::of_nat(3), Value::of_text("foo"), Value::of_blob(blob({5, 6}))}))) ==
        "514a04011caa503990d446b7dec5d79e19c221ae607fb08b2848c67734d468d6");
  Value m = Value::of_map(
      {{"from", Value::of_blob(blob({0x00, 0xab, 0xcd, 0xef, 0x00, 0x12, 0x34, 0x00, 0x56, 0x78, 0x9a, 0x00, 0xbc, 0xde,
                                     0xf0, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0x00, 0xab, 0xcd, 0xef, 0x01}))},
       {"to", Value::of_blob(blob({0x00, 0xab, 0x0d, 0xef, 0x00, 0x12, 0x34, 0x00, 0x56, 0x78, 0x9a, 0x00, 0xbc, 0xde,
                                   0xf0, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0x00, 0xab, 0xcd, 0xef, 0x01}))},
       {"amount", Value::of_nat(42)},
       {"created_at", Value::of_nat(1699218263)},
       {"memo", Value::of_nat(0)}});
  CHECK(hex(hash_value(m)) == "c56ece650e1de4269c5bdeff7875949e3e2033f85b2d193c2ff4f7f78bdcfc75");
  // Large numbers hash the same as the auditor's big-number code.
  for (u128 n : {u128{0}, u128{127}, u128{128}, u128{UINT64_MAX}, ~u128{0}})
    CHECK(hash_value(Value::of_nat(n)) == audit::hash(to_audit(Value::of_nat(n))));
  for (__int128 n : {__int128{0}, __int128{-1}, __int128{63}, __int128{64}, __int128{-65}, __int128{INT64_MIN}})
    CHECK(hash_value(Value::of_int(n)) == audit::hash(to_audit(Value::of_int(n))));

  ic::Bytes b;
  write_uleb128(b, 624485);
  CHECK(b == ic::Bytes{0xe5, 0x8e, 0x26});
  b.clear();
  write_sleb128(b, -123456);
  CHECK(b == ic::Bytes{0xc0, 0xbb, 0x78});

  Block blk;
  blk.kind = BlockKind::Transfer;
  blk.timestamp = 5;
  blk.phash = ic::sha256(std::string_view("x"));
  blk.from = sub(kAlice, 7);
  blk.to = acct(kBob);
  blk.amount = ~u128{0};
  blk.tx_fee = 3;
  blk.fee = 3;
  blk.memo = Blob(32, 9);
  blk.created_at_time = 77;
  auto back = decode_block(encode_block(blk));
  REQUIRE(back);
  CHECK(*back == blk);
  CHECK(encode_block(blk).size() <= kBlockMax);
  CHECK_FALSE(decode_block(ic::Bytes{9, 0}));
  ic::Bytes cut = encode_block(blk);
  cut.pop_back();
  CHECK_FALSE(decode_block(cut));

  CHECK(same_account(acct(kAlice), Account{kAlice, Blob(32, 0)}));
  CHECK_FALSE(same_account(acct(kAlice), sub(kAlice, 1)));
  CHECK_FALSE(same_account(acct(kAlice), acct(kBob)));
  CHECK(account_key(acct(kAlice)) == account_key(Account{kAlice, Blob(32, 0)}));
  CHECK_FALSE(valid_account(Account{kAlice, Blob(31, 0)}));

  uint64_t now = kStart;
  CHECK(check_time(now, now) == TimeCheck::Ok);
  CHECK(check_time(now - kTxWindowNs - kPermittedDriftNs, now) == TimeCheck::Ok);
  CHECK(check_time(now - kTxWindowNs - kPermittedDriftNs - 1, now) == TimeCheck::TooOld);
  CHECK(check_time(now + kPermittedDriftNs, now) == TimeCheck::Ok);
  CHECK(check_time(now + kPermittedDriftNs + 1, now) == TimeCheck::InFuture);
  CHECK(check_time(0, 5) == TimeCheck::Ok);  // a clock near the epoch never underflows

  REQUIRE_THROWS_AS(add(~u128{0}, 1, "test"), cdk::mock::Trapped);
  REQUIRE_THROWS_AS(icrc1_ledger::sub(1, 2, "test"), cdk::mock::Trapped);
}

// ---------------------------------------------------------------- init and metadata

TEST_CASE("init: minting account, token constants, no genesis balances; metadata and standards") {
  Env& ic = install();
  CHECK(ic.query("icrc1_name").as<std::string>() == "Learning Token");
  CHECK(ic.query("icrc1_symbol").as<std::string>() == "LRN");
  CHECK(ic.query("icrc1_decimals").as<uint8_t>() == 8);
  CHECK(ic.query("icrc1_fee").as<u128>() == kFee);
  CHECK(supply(ic) == 0);
  auto minter = ic.query("icrc1_minting_account").as<std::optional<Account>>();
  REQUIRE(minter);
  CHECK(minter->owner == kHub);
  CHECK_FALSE(minter->subaccount);
  auto md = ic.query("icrc1_metadata").as<Metadata>();
  std::map<std::string, MetadataValue> meta;
  for (auto& [k, v] : md) meta[k] = v;
  CHECK(meta.at("icrc1:name").get<"Text">() == "Learning Token");
  CHECK(meta.at("icrc1:symbol").get<"Text">() == "LRN");
  CHECK(meta.at("icrc1:decimals").get<"Nat">() == 8);
  CHECK(meta.at("icrc1:fee").get<"Nat">() == kFee);
  CHECK(meta.at("icrc1:max_memo_length").get<"Nat">() == 32);
  auto stds = ic.query("icrc1_supported_standards").as<std::vector<Standard>>();
  REQUIRE(stds.size() == 2);
  CHECK(stds[0].name == "ICRC-1");
  CHECK(stds[1].name == "ICRC-3");
  auto types = ic.query("icrc3_supported_block_types").as<std::vector<SupportedBlockType>>();
  std::vector<std::string> names;
  for (auto& t : types) names.push_back(t.block_type);
  CHECK(names == std::vector<std::string>{"1burn", "1mint", "1xfer"});
  CHECK(ic.query("icrc3_get_archives", GetArchivesArgs{}).as<std::vector<ArchiveInfo>>().empty());
  // No block yet: no tip certificate, an empty log, and the audit accepts exactly that.
  CHECK_FALSE(ic.query("icrc3_get_tip_certificate").as<std::optional<TipCertificate>>());
  CHECK(get_blocks(ic, {BlockRange{0, 10}}).log_length == 0);
  CHECK(audit_ledger(ic).ok);

  auto refused = [](LedgerInit in, const char* why) {
    Env& e = cdk::mock::fresh();
    auto r = e.install_with(in);
    INFO(r.reject_message);
    CHECK(r.rejected());
    CHECK(r.reject_message.find(why) != std::string::npos);
  };
  LedgerInit genesis = init_args();
  genesis.initial_balances = std::vector<std::tuple<Account, u128>>{{acct(kAlice), 1}};
  refused(genesis, "initial balances are refused");
  LedgerInit decimals = init_args();
  decimals.decimals = 6;
  refused(decimals, "decimals must be 8");
  LedgerInit anon = init_args();
  anon.minting_account = acct(Principal::anonymous());
  refused(anon, "anonymous");
  LedgerInit badsub = init_args();
  badsub.minting_account = Account{kHub, Blob(5, 0)};
  refused(badsub, "32 bytes");
  LedgerInit noname = init_args();
  noname.token_name = "";
  refused(noname, "token_name");
  // An explicitly empty list of initial balances is fine.
  LedgerInit empty = init_args();
  empty.initial_balances = std::vector<std::tuple<Account, u128>>{};
  Env& e = cdk::mock::fresh();
  CHECK(e.install_with(empty).replied());
}

// ---------------------------------------------------------------- ICRC-1 transfers

TEST_CASE("mints: only from the minting account, never with a fee") {
  Env& ic = install();
  CHECK(mint(ic, acct(kAlice), 1000) == 0);
  CHECK(balance(ic, acct(kAlice)) == 1000);
  CHECK(supply(ic) == 1000);
  CHECK(mint(ic, sub(kBob, 1), 500) == 1);
  CHECK(balance(ic, sub(kBob, 1)) == 500);
  CHECK(balance(ic, acct(kBob)) == 0);
  CHECK(balance(ic, acct(kHub)) == 0);  // the minting account holds nothing

  TransferArg withfee = to(acct(kAlice), 10);
  withfee.fee = 1;
  auto bad = transfer(ic, kHub, withfee);
  REQUIRE_FALSE(bad.is_ok());
  REQUIRE(bad.error().is<"BadFee">());
  CHECK(bad.error().get<"BadFee">().expected_fee == 0);
  withfee.fee = 0;
  CHECK(transfer(ic, kHub, withfee).is_ok());
  CHECK(supply(ic) == 1510);

  // The hub's own subaccount is not the minting account: it holds nothing and cannot pay.
  TransferArg fromsub = to(acct(kAlice), 10);
  fromsub.from_subaccount = Blob(32, 1);
  auto r = transfer(ic, kHub, fromsub);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.error().is<"InsufficientFunds">());
  // An all-zero subaccount is the default account, i.e. the minting account: a mint.
  fromsub.from_subaccount = Blob(32, 0);
  CHECK(transfer(ic, kHub, fromsub).is_ok());
  // Nobody else mints: the same call from Alice is a transfer of her own tokens.
  auto alice = transfer(ic, kAlice, to(acct(kBob), 5000));
  REQUIRE_FALSE(alice.is_ok());
  CHECK(alice.error().is<"InsufficientFunds">());
  // From the minting account to itself is refused outright.
  auto self = transfer(ic, kHub, to(acct(kHub), 5));
  REQUIRE_FALSE(self.is_ok());
  REQUIRE(self.error().is<"GenericError">());
  CHECK(self.error().get<"GenericError">().error_code == kErrMintToMinter);
}

TEST_CASE("transfers: fee, BadFee, InsufficientFunds, subaccounts, memo bound") {
  Env& ic = install();
  mint(ic, acct(kAlice), 100'000);

  auto ok = transfer(ic, kAlice, to(acct(kBob), 30'000));
  REQUIRE(ok.is_ok());
  CHECK(balance(ic, acct(kAlice)) == 100'000 - 30'000 - kFee);
  CHECK(balance(ic, acct(kBob)) == 30'000);
  CHECK(supply(ic) == 100'000 - kFee);  // the fee is burned

  TransferArg wrong = to(acct(kBob), 1);
  wrong.fee = kFee + 1;
  auto bad = transfer(ic, kAlice, wrong);
  REQUIRE_FALSE(bad.is_ok());
  REQUIRE(bad.error().is<"BadFee">());
  CHECK(bad.error().get<"BadFee">().expected_fee == kFee);
  wrong.fee = 0;
  CHECK(transfer(ic, kAlice, wrong).error().is<"BadFee">());
  TransferArg right = to(acct(kBob), 1);
  right.fee = kFee;
  CHECK(transfer(ic, kAlice, right).is_ok());

  u128 have = balance(ic, acct(kAlice));  // 100000 - 30000 - 10000 - 1 - 10000 = 49999
  CHECK(have == 49'999);
  auto poor = transfer(ic, kAlice, to(acct(kBob), have - kFee + 1));
  REQUIRE_FALSE(poor.is_ok());
  REQUIRE(poor.error().is<"InsufficientFunds">());
  CHECK(poor.error().get<"InsufficientFunds">().balance == have);
  // amount + fee overflowing 128 bits is insufficient funds, not a wrap.
  auto huge = transfer(ic, kAlice, to(acct(kBob), ~u128{0}));
  REQUIRE_FALSE(huge.is_ok());
  CHECK(huge.error().is<"InsufficientFunds">());
  // Exactly everything: the account empties.
  CHECK(transfer(ic, kAlice, to(sub(kAlice, 2), have - kFee)).is_ok());
  CHECK(balance(ic, acct(kAlice)) == 0);
  CHECK(balance(ic, sub(kAlice, 2)) == have - kFee);
  // From a subaccount.
  TransferArg fromsub = to(acct(kAlice), 100);
  fromsub.from_subaccount = sub(kAlice, 2).subaccount;
  CHECK(transfer(ic, kAlice, fromsub).is_ok());
  CHECK(balance(ic, acct(kAlice)) == 100);
  // To oneself: only the fee goes.
  CHECK(transfer(ic, kBob, to(acct(kBob), 10)).is_ok());
  CHECK(balance(ic, acct(kBob)) == 30'001 - kFee);

  TransferArg badsub = to(Account{kBob, Blob(31, 0)}, 1);
  auto r = transfer(ic, kAlice, badsub);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.error().get<"GenericError">().error_code == kErrInvalidAccount);
  TransferArg badfrom = to(acct(kBob), 1);
  badfrom.from_subaccount = Blob(33, 0);
  CHECK(transfer(ic, kAlice, badfrom).error().get<"GenericError">().error_code == kErrInvalidAccount);
  TransferArg longmemo = to(acct(kBob), 1);
  longmemo.memo = Blob(33, 1);
  CHECK(transfer(ic, kBob, longmemo).error().get<"GenericError">().error_code == kErrMemoTooLong);
  longmemo.memo = Blob(32, 1);
  CHECK(transfer(ic, kBob, longmemo).is_ok());
  CHECK(ic.query("icrc1_balance_of", Account{kBob, Blob(3, 0)}).as<u128>() == 0);
}

TEST_CASE("burns: to the minting account, no fee, at least min_burn_amount") {
  Env& ic = install();
  mint(ic, acct(kAlice), 100'000);
  auto small = transfer(ic, kAlice, to(acct(kHub), kFee - 1));
  REQUIRE_FALSE(small.is_ok());
  REQUIRE(small.error().is<"BadBurn">());
  CHECK(small.error().get<"BadBurn">().min_burn_amount == kFee);
  TransferArg withfee = to(acct(kHub), kFee);
  withfee.fee = kFee;
  CHECK(transfer(ic, kAlice, withfee).error().get<"BadFee">().expected_fee == 0);
  auto ok = transfer(ic, kAlice, to(acct(kHub), 40'000));
  REQUIRE(ok.is_ok());
  CHECK(balance(ic, acct(kAlice)) == 60'000);  // no fee on a burn
  CHECK(supply(ic) == 60'000);
  auto poor = transfer(ic, kAlice, to(Account{kHub, Blob(32, 0)}, 60'001));
  REQUIRE_FALSE(poor.is_ok());
  CHECK(poor.error().get<"InsufficientFunds">().balance == 60'000);

  LedgerInit custom = init_args();
  custom.min_burn_amount = 1;
  Env& c = install(custom);
  mint(c, acct(kAlice), 10);
  CHECK(transfer(c, kAlice, to(acct(kHub), 1)).is_ok());
}

TEST_CASE("created_at_time: TooOld, CreatedInFuture, and Duplicate within the window") {
  Env& ic = install();
  mint(ic, acct(kAlice), 1'000'000);
  uint64_t now = ic.time();

  TransferArg t = to(acct(kBob), 100);
  t.created_at_time = now;
  t.memo = Blob{1, 2, 3};
  auto first = transfer(ic, kAlice, t);
  REQUIRE(first.is_ok());
  auto again = transfer(ic, kAlice, t);
  REQUIRE_FALSE(again.is_ok());
  REQUIRE(again.error().is<"Duplicate">());
  CHECK(again.error().get<"Duplicate">().duplicate_of == first.value());
  CHECK(balance(ic, acct(kBob)) == 100);  // once

  // Anything different is another transaction: memo, amount, caller, fee given explicitly.
  TransferArg other = t;
  other.memo = Blob{1, 2, 4};
  CHECK(transfer(ic, kAlice, other).is_ok());
  other = t;
  other.amount = 101;
  CHECK(transfer(ic, kAlice, other).is_ok());
  other = t;
  other.fee = kFee;
  CHECK(transfer(ic, kAlice, other).is_ok());
  mint(ic, acct(kBob), 100'000);
  CHECK(transfer(ic, kBob, t).is_ok());
  // Without created_at_time nothing is deduplicated.
  TransferArg plain = to(acct(kBob), 7);
  CHECK(transfer(ic, kAlice, plain).is_ok());
  CHECK(transfer(ic, kAlice, plain).is_ok());

  ic.set_time(now + 3600 * kSec);
  CHECK(transfer(ic, kAlice, t).error().get<"Duplicate">().duplicate_of == first.value());

  TransferArg old = to(acct(kBob), 1);
  old.created_at_time = ic.time() - kTxWindowNs - kPermittedDriftNs - 1;
  CHECK(transfer(ic, kAlice, old).error().is<"TooOld">());
  TransferArg future = to(acct(kBob), 1);
  future.created_at_time = ic.time() + kPermittedDriftNs + 1;
  auto f = transfer(ic, kAlice, future);
  REQUIRE_FALSE(f.is_ok());
  REQUIRE(f.error().is<"CreatedInFuture">());
  CHECK(f.error().get<"CreatedInFuture">().ledger_time == ic.time());
  future.created_at_time = ic.time() + kPermittedDriftNs;  // within the drift
  CHECK(transfer(ic, kAlice, future).is_ok());

  // Past the window the original is TooOld, never executed twice.
  ic.set_time(now + kTxWindowNs + kPermittedDriftNs + 1);
  CHECK(transfer(ic, kAlice, t).error().is<"TooOld">());
  // Expired deduplication entries are pruned by later transfers (bounded work per call).
  u128 before = icrc1_ledger::stable().dedup.size();
  CHECK(before >= 5);
  TransferArg fresh = to(acct(kBob), 1);
  fresh.created_at_time = ic.time();
  CHECK(transfer(ic, kAlice, fresh).is_ok());
  CHECK(icrc1_ledger::stable().dedup.size() == 2);  // `future` (still inside the window) and `fresh`
  CHECK(icrc1_ledger::stable().expiry.size() == 2);
}

TEST_CASE("the hub's withdraw call (its own types): a mint with a 32-byte memo, retried as Duplicate") {
  Env& ic = install();
  staking_hub::icrc1::TransferArg t;
  t.to = staking_hub::icrc1::Account{kAlice, std::nullopt};
  t.amount = 100'000'000;
  t.memo = staking_hub::Blob(32, 0x5a);
  t.created_at_time = ic.time() - 10 * kSec;
  ic.set_caller(kHub);
  auto r = ic.update("icrc1_transfer", t).as<staking_hub::icrc1::TransferResult>();
  REQUIRE(r.is_ok());
  CHECK(r.value() == 0);
  ic.set_time(ic.time() + 600 * kSec);
  auto retry = ic.update("icrc1_transfer", t).as<staking_hub::icrc1::TransferResult>();
  REQUIRE_FALSE(retry.is_ok());
  REQUIRE(retry.error().is<"Duplicate">());
  CHECK(retry.error().get<"Duplicate">().duplicate_of == 0);
  CHECK(balance(ic, acct(kAlice)) == 100'000'000);
  CHECK(supply(ic) == 100'000'000);
  // A shard's user cannot mint through the ledger directly.
  ic.set_caller(kAlice);
  auto direct = ic.update("icrc1_transfer", t).as<staking_hub::icrc1::TransferResult>();
  CHECK(direct.error().is<"InsufficientFunds">());
}

// ---------------------------------------------------------------- ICRC-3

TEST_CASE("ICRC-3: blocks as Values, phash chain and certified tip verified by the auditor's reader (I4)") {
  Env& ic = install();
  ic.set_time(kStart + 1);
  TransferArg m = to(acct(kAlice), 1'000'000);
  m.memo = Blob(32, 7);
  m.created_at_time = kStart;
  REQUIRE(transfer(ic, kHub, m).is_ok());                           // 0 mint
  ic.set_time(kStart + 2);
  mint(ic, sub(kBob, 4), 500'000);                                    // 1 mint
  TransferArg x = to(sub(kBob, 4), 20'000);
  x.fee = kFee;
  REQUIRE(transfer(ic, kAlice, x).is_ok());                          // 2 xfer (fee given)
  REQUIRE(transfer(ic, kAlice, to(acct(kBob), 30'000)).is_ok());     // 3 xfer (fee not given)
  TransferArg b = to(acct(kHub), 50'000);
  b.from_subaccount = sub(kBob, 4).subaccount;
  REQUIRE(transfer(ic, kBob, b).is_ok());                            // 4 burn

  auto page = get_blocks(ic, {BlockRange{0, 100}});
  CHECK(page.log_length == 5);
  CHECK(page.archived == 0);
  REQUIRE(page.blocks.size() == 5);
  const audit::Value& b0 = page.blocks[0].second;
  CHECK_FALSE(b0.get("phash"));
  CHECK(b0.get("btype")->text == "1mint");
  CHECK(b0.get("ts")->number.magnitude().to_u64() == kStart + 1);
  CHECK_FALSE(b0.get("fee"));
  const audit::Value* tx0 = b0.get("tx");
  CHECK(tx0->get("op")->text == "mint");
  CHECK(tx0->get("amt")->number.magnitude().to_u64() == 1'000'000);
  CHECK_FALSE(tx0->get("from"));
  REQUIRE(tx0->get("to")->array.size() == 1);
  CHECK(tx0->get("to")->array[0].blob == kAlice.bytes());
  CHECK(tx0->get("memo")->blob == ic::Bytes(32, 7));
  CHECK(tx0->get("ts")->number.magnitude().to_u64() == kStart);

  for (size_t i = 1; i < 5; ++i) {  // phash of block n = hash of block n-1, recomputed by the auditor's code
    const audit::Value* ph = page.blocks[i].second.get("phash");
    REQUIRE(ph);
    auto h = audit::hash(page.blocks[i - 1].second);
    CHECK(ph->blob == ic::Bytes(h.begin(), h.end()));
  }
  const audit::Value& b1 = page.blocks[1].second;
  REQUIRE(b1.get("tx")->get("to")->array.size() == 2);  // a subaccount given is recorded
  CHECK(b1.get("tx")->get("to")->array[1].blob == *sub(kBob, 4).subaccount);
  CHECK_FALSE(b1.get("tx")->get("memo"));
  CHECK_FALSE(b1.get("tx")->get("ts"));
  const audit::Value& b2 = page.blocks[2].second;
  CHECK(b2.get("btype")->text == "1xfer");
  CHECK(b2.get("fee")->number.magnitude().to_u64() == kFee);
  CHECK(b2.get("tx")->get("fee")->number.magnitude().to_u64() == kFee);
  CHECK(b2.get("tx")->get("from")->array[0].blob == kAlice.bytes());
  const audit::Value& b3 = page.blocks[3].second;
  CHECK(b3.get("fee")->number.magnitude().to_u64() == kFee);  // charged
  CHECK_FALSE(b3.get("tx")->get("fee"));                        // not given by the caller
  const audit::Value& b4 = page.blocks[4].second;
  CHECK(b4.get("btype")->text == "1burn");
  CHECK(b4.get("tx")->get("op")->text == "burn");
  CHECK_FALSE(b4.get("tx")->get("to"));
  CHECK_FALSE(b4.get("fee"));
  CHECK(b4.get("tx")->get("from")->array.size() == 2);
  auto parsed = audit::parse_block(b4);
  REQUIRE(parsed.ok());
  CHECK(parsed->kind == audit::Block::Kind::Burn);

  Audit a = audit_ledger(ic);
  INFO(a.error);
  REQUIRE(a.ok);
  CHECK(a.length == 5);
  CHECK(a.minted.to_u64() == 1'500'000);
  CHECK(a.burned.to_u64() == 50'000);
  // I4: total supply = minted - burned - fees <= Σ mints.
  CHECK(supply(ic) == 1'500'000 - 50'000 - 2 * kFee);
  CHECK(supply(ic) <= 1'500'000);

  // The tip: the tree hashes to certified_data; last_block_index is ULEB128; the hash is that of block 4.
  auto tip = ic.query("icrc3_get_tip_certificate").as<std::optional<TipCertificate>>();
  REQUIRE(tip);
  auto tree = ic::HashTree::decode(tip->hash_tree);
  REQUIRE(tree.ok());
  auto root = tree->digest();
  CHECK(ic::Bytes(root.begin(), root.end()) == ic.certified_data());
  CHECK(ic::Bytes(tree->lookup({"last_block_index"}).value.begin(), tree->lookup({"last_block_index"}).value.end()) ==
        ic::Bytes{4});
  auto h4 = audit::hash(b4);
  auto lh = tree->lookup({"last_block_hash"});
  CHECK(ic::Bytes(lh.value.begin(), lh.value.end()) == ic::Bytes(h4.begin(), h4.end()));
  CHECK(tree->check_well_formed().ok());
  // In replicated execution there is no certificate to give.
  ic.set_replicated_queries(true);
  CHECK_FALSE(ic.query("icrc3_get_tip_certificate").as<std::optional<TipCertificate>>());
  ic.set_replicated_queries(false);

  // Ranges: several, overlapping, past the end.
  auto multi = get_blocks(ic, {BlockRange{3, 5}, BlockRange{0, 2}, BlockRange{10, 3}, BlockRange{4, 0}});
  std::vector<uint64_t> ids;
  for (auto& [id, v] : multi.blocks) ids.push_back(id);
  CHECK(ids == std::vector<uint64_t>{3, 4, 0, 1});
  CHECK(get_blocks(ic, {BlockRange{~u128{0}, ~u128{0}}}).blocks.empty());
}

TEST_CASE("icrc3_get_blocks replies are bounded (1000 blocks per call)") {
  Env& ic = install();
  for (int i = 0; i < 1005; ++i) mint(ic, acct(kAlice), 1);
  auto all = get_blocks(ic, {BlockRange{0, 5000}});
  CHECK(all.log_length == 1005);
  CHECK(all.blocks.size() == 1000);
  auto two = get_blocks(ic, {BlockRange{0, 600}, BlockRange{600, 600}});
  CHECK(two.blocks.size() == 1000);
  CHECK(two.blocks.back().first == 999);
  auto rest = get_blocks(ic, {BlockRange{1000, 100}});
  CHECK(rest.blocks.size() == 5);
  Audit a = audit_ledger(ic);
  INFO(a.error);
  CHECK(a.ok);
  CHECK(a.minted.to_u64() == 1005);
  CHECK(supply(ic) == 1005);
}

TEST_CASE("upgrade keeps balances, blocks, deduplication and the certified tip; the config is immutable") {
  Env& ic = install();
  TransferArg t = to(acct(kAlice), 5'000'000);
  t.created_at_time = ic.time();
  t.memo = Blob(32, 1);
  REQUIRE(transfer(ic, kHub, t).is_ok());
  REQUIRE(transfer(ic, kAlice, to(acct(kBob), 1'000)).is_ok());
  ic::Bytes certified = ic.certified_data();

  LedgerInit other = init_args(1);
  other.token_name = "Other";
  REQUIRE(ic.upgrade_with(other).replied());  // the argument is ignored
  CHECK(ic.query("icrc1_name").as<std::string>() == "Learning Token");
  CHECK(ic.query("icrc1_fee").as<u128>() == kFee);
  CHECK(balance(ic, acct(kAlice)) == 5'000'000 - 1'000 - kFee);
  CHECK(balance(ic, acct(kBob)) == 1'000);
  CHECK(supply(ic) == 5'000'000 - kFee);
  CHECK(ic.certified_data() == certified);
  CHECK(transfer(ic, kHub, t).error().get<"Duplicate">().duplicate_of == 0);
  REQUIRE(transfer(ic, kAlice, to(acct(kBob), 1)).is_ok());
  Audit a = audit_ledger(ic);
  INFO(a.error);
  CHECK(a.ok);
  CHECK(a.length == 3);
  REQUIRE(ic.upgrade(ic::Bytes{}).replied());
  CHECK(audit_ledger(ic).ok);
}

#ifdef HUBCTL_FAULT_INJECTION
TEST_CASE("fault injection: an unrecorded mint and a corrupted block break I4 where the audit looks") {
  Env& ic = install();
  mint(ic, acct(kAlice), 100'000);
  mint(ic, acct(kBob), 2000);
  REQUIRE(transfer(ic, kAlice, to(acct(kBob), 100)).is_ok());
  REQUIRE(audit_ledger(ic).ok);

  ic.set_caller(kAlice);
  REQUIRE(ic.update("fault_mint_unrecorded", acct(kAlice), u128{9}).replied());  // as hubctl's e2e test does
  Audit a = audit_ledger(ic);
  REQUIRE(a.ok);  // the chain itself is intact ...
  CHECK(supply(ic) == u128(*a.minted.to_u64()) + 9);  // ... but the supply exceeds the mints (fees paid before)

  REQUIRE(ic.update("fault_corrupt_block", uint64_t{1}).replied());
  Audit broken = audit_ledger(ic);
  CHECK_FALSE(broken.ok);
  CHECK(broken.error.find("block 2") != std::string::npos);
  REQUIRE(ic.update("fault_corrupt_block", uint64_t{2}).replied());  // the last block: the tip no longer matches
  CHECK_FALSE(audit_ledger(ic).ok);
}
#endif
