// hub::icrc3: the ICRC-3 standard's hashing examples, block parsing, the phash chain and the tip tree.
#include <catch2/catch.hpp>

#include "hub/icrc3.h"
#include "ic/leb128.h"

using hub::icrc3::Value;
namespace icrc3 = hub::icrc3;

namespace {

std::string hx(const ic::Hash256& h) { return ic::to_hex(h); }

Value account(uint8_t owner_byte) { return Value::of_array({Value::of_blob(ic::Bytes(29, owner_byte))}); }

Value mint_block(std::optional<ic::Hash256> phash, uint64_t amount, uint64_t ts) {
  std::vector<std::pair<std::string, Value>> tx = {{"amt", Value::of_nat(amount)}, {"to", account(7)},
                                                    {"memo", Value::of_blob(ic::Bytes(32, 1))}, {"ts", Value::of_nat(ts)}};
  std::vector<std::pair<std::string, Value>> b = {{"btype", Value::of_text("1mint")}, {"ts", Value::of_nat(ts + 1)},
                                                   {"tx", Value::of_map(std::move(tx))}};
  if (phash) b.emplace_back("phash", Value::of_blob(ic::Bytes(phash->begin(), phash->end())));
  return Value::of_map(std::move(b));
}

Value xfer_block(const ic::Hash256& phash, uint64_t amount) {
  std::vector<std::pair<std::string, Value>> tx = {
      {"op", Value::of_text("xfer")}, {"amt", Value::of_nat(amount)}, {"to", account(8)}, {"from", account(7)}};
  return Value::of_map({{"phash", Value::of_blob(ic::Bytes(phash.begin(), phash.end()))},
                        {"ts", Value::of_nat(99)},
                        {"fee", Value::of_nat(10'000)},
                        {"tx", Value::of_map(std::move(tx))}});
}

}  // namespace

TEST_CASE("ICRC-3 value hashing: the standard's examples") {
  // ICRC-3 "Value" hashing examples (and the representation-independent hash of the IC interface spec).
  CHECK(hx(icrc3::hash(Value::of_nat(42))) == "684888c0ebb17f374298b65ee2807526c066094c701bcc7ebbe1c1095f494fc1");
  CHECK(hx(icrc3::hash(Value::of_int(ic::BigInt(ic::BigNat(42), true)))) ==
        "de5a6f78116eca62d7fc5ce159d23ae6b889b365a1739ad2cf36f925a140d0cc");
  CHECK(hx(icrc3::hash(Value::of_text("Hello, World!"))) ==
        "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f");
  CHECK(hx(icrc3::hash(Value::of_blob({1, 2, 3, 4}))) ==
        "9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a");
  CHECK(hx(icrc3::hash(Value::of_array({Value::of_nat(3), Value::of_text("foo"), Value::of_blob({5, 6})}))) ==
        "514a04011caa503990d446b7dec5d79e19c221ae607fb08b2848c67734d468d6");
  auto m = Value::of_map({{"from", Value::of_blob({0, 171, 205, 239, 0, 18, 52, 0, 86, 120, 154, 0, 188, 222, 240, 0, 1,
                                                   35, 69, 103, 137, 0, 171, 205, 239, 1})},
                          {"to", Value::of_blob({0, 171, 13, 239, 0, 18, 52, 0, 86, 120, 154, 0, 188, 222, 240, 0, 1, 35,
                                                 69, 103, 137, 0, 171, 205, 239, 1})},
                          {"amount", Value::of_nat(42)},
                          {"created_at", Value::of_nat(1699218263)},
                          {"memo", Value::of_nat(0)}});
  CHECK(hx(icrc3::hash(m)) == "c56ece650e1de4269c5bdeff7875949e3e2033f85b2d193c2ff4f7f78bdcfc75");
  // Map hashing ignores entry order.
  auto a = Value::of_map({{"x", Value::of_nat(1)}, {"y", Value::of_text("z")}});
  auto b = Value::of_map({{"y", Value::of_text("z")}, {"x", Value::of_nat(1)}});
  CHECK(icrc3::hash(a) == icrc3::hash(b));
}

TEST_CASE("ICRC-3 blocks: schema and chain") {
  icrc3::ChainVerifier chain;
  auto b0 = mint_block(std::nullopt, 500, 10);
  REQUIRE(chain.add(0, b0).ok());
  auto h0 = icrc3::hash(b0);
  auto b1 = xfer_block(h0, 100);
  REQUIRE(chain.add(1, b1).ok());
  auto b2 = mint_block(icrc3::hash(b1), 250, 20);
  REQUIRE(chain.add(2, b2).ok());
  CHECK(chain.length() == 3);
  CHECK(chain.minted() == ic::BigNat(750));
  CHECK(chain.mint_count() == 2);
  CHECK(*chain.last_hash() == icrc3::hash(b2));

  auto parsed = icrc3::parse_block(b2);
  REQUIRE(parsed.ok());
  CHECK(parsed->kind == icrc3::Block::Kind::Mint);
  CHECK(parsed->created_at_time == 20u);
  CHECK(parsed->to_owner == ic::Bytes(29, 7));

  SECTION("a broken link names the block") {
    icrc3::ChainVerifier c;
    REQUIRE(c.add(0, b0).ok());
    auto bad = xfer_block(icrc3::hash(b2), 100);  // points at the wrong parent
    auto st = c.add(1, bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("block 1") != std::string::npos);
    CHECK(st.error().code == ic::Errc::crypto);
  }
  SECTION("first block with a phash, later block without, gaps") {
    icrc3::ChainVerifier c;
    CHECK_FALSE(c.add(0, mint_block(h0, 1, 1)).ok());
    icrc3::ChainVerifier d;
    REQUIRE(d.add(0, b0).ok());
    CHECK_FALSE(d.add(1, mint_block(std::nullopt, 1, 1)).ok());
    icrc3::ChainVerifier e;
    REQUIRE(e.add(0, b0).ok());
    CHECK_FALSE(e.add(2, b1).ok());
  }
  SECTION("a changed amount changes the hash the next block must name") {
    auto tampered = mint_block(std::nullopt, 501, 10);
    icrc3::ChainVerifier c;
    REQUIRE(c.add(0, tampered).ok());
    CHECK_FALSE(c.add(1, b1).ok());
  }
}

TEST_CASE("ICRC-3 tip tree") {
  ic::Hash256 last{};
  last.fill(0xab);
  ic::Bytes idx;
  ic::write_uleb(idx, 1234);
  auto tree = ic::HashTree::build({{ic::make_path({"last_block_hash"}), ic::Bytes(last.begin(), last.end())},
                                   {ic::make_path({"last_block_index"}), idx}});
  REQUIRE(tree.ok());
  auto root = tree->digest();
  auto tip = icrc3::read_tip(tree->encode(), root);
  REQUIRE(tip.ok());
  CHECK(tip->last_block_index == 1234);
  CHECK(tip->last_block_hash == last);
  // Wrapped in the self-describe tag, as some ledgers send it.
  auto tagged = ic::cbor::encode_self_describe(tree->to_cbor());
  REQUIRE(icrc3::read_tip(tagged, root).ok());
  ic::Bytes other(root.begin(), root.end());
  other[0] ^= 1;
  auto bad = icrc3::read_tip(tree->encode(), other);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("certified data") != std::string::npos);
}
