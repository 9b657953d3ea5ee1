#include <catch2/catch.hpp>

#include "ic/base32.h"
#include "ic/crc32.h"
#include "ic/principal.h"

using namespace ic;

namespace {
Bytes hex(std::string_view h) { return from_hex(h).value(); }
std::string err(std::string_view text) {
  auto r = Principal::from_text(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::invalid_input);
  return r.error().message;
}
bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("crc32 and base32", "[principal]") {
  CHECK(crc32(as_view("123456789")) == 0xCBF43926u);  // the standard check value
  CHECK(crc32(ByteView{}) == 0);
  CHECK(crc32(hex("abcd01")) == 0x233FF206u);  // ic-protocol.md §3.2
  CHECK(crc32_update(crc32(as_view("1234")), as_view("56789")) == 0xCBF43926u);
  // RFC 4648 §10 vectors, lower case, no padding.
  CHECK(base32_encode(as_view("")) == "");
  CHECK(base32_encode(as_view("f")) == "my");
  CHECK(base32_encode(as_view("fo")) == "mzxq");
  CHECK(base32_encode(as_view("foo")) == "mzxw6");
  CHECK(base32_encode(as_view("foob")) == "mzxw6yq");
  CHECK(base32_encode(as_view("fooba")) == "mzxw6ytb");
  CHECK(base32_encode(as_view("foobar")) == "mzxw6ytboi");
  CHECK(base32_decode("MZXW6YTBOI").value() == to_bytes("foobar"));
  CHECK(base32_decode("mzxw6yq").value() == to_bytes("foob"));
  CHECK_FALSE(base32_decode("mzxw6yr").ok());   // non-zero trailing bits
  CHECK_FALSE(base32_decode("mzx").ok());       // impossible length
  CHECK_FALSE(base32_decode("my======").ok());  // padding refused
  CHECK(contains(base32_decode("m1").error().message, "offset 1"));
}

TEST_CASE("principal text vectors (ic-protocol.md §3)", "[principal]") {
  auto p = Principal::from_bytes(hex("abcd01")).value();
  CHECK(p.to_text() == "em77e-bvlzu-aq");
  CHECK(Principal::from_text("em77e-bvlzu-aq").value() == p);
  CHECK(Principal::from_text("EM77E-BVLZU-AQ").value() == p);

  CHECK(Principal::anonymous().to_text() == "2vxsx-fae");
  CHECK(Principal::from_text("2vxsx-fae").value().is_anonymous());
  CHECK(Principal::management().to_text() == "aaaaa-aa");
  CHECK(Principal::from_text("aaaaa-aa").value().is_management());
  CHECK(Principal().is_management());

  struct { const char* text; uint64_t index; } canisters[] = {
      {"rwlgt-iiaaa-aaaaa-aaaaa-cai", 0}, {"rrkah-fqaaa-aaaaa-aaaaq-cai", 1},
      {"ryjl3-tyaaa-aaaaa-aaaba-cai", 2}, {"rkp4c-7iaaa-aaaaa-aaaca-cai", 4}};
  for (auto& c : canisters) {
    INFO(c.text);
    auto q = Principal::from_text(c.text).value();
    CHECK(q.canister_index() == c.index);
    CHECK(Principal::from_canister_index(c.index) == q);
    CHECK(q.to_text() == c.text);
    CHECK_FALSE(q.is_self_authenticating());
  }
  auto local = Principal::from_text("bkyz2-fmaaa-aaaaa-qaaaq-cai").value();
  CHECK(to_hex(local.bytes()) == "80000000001000010101");
  CHECK(local.canister_index() == 0x8000000000100001ull);
  CHECK(Principal::from_canister_index(0x8000000000100001ull) == local);
  CHECK_FALSE(p.canister_index().has_value());
  CHECK_FALSE(Principal::anonymous().canister_index().has_value());
}

TEST_CASE("self-authenticating principals (ic-protocol.md §3.2, §3.4)", "[principal]") {
  auto secp = Principal::self_authenticating(hex(
      "3056301006072a8648ce3d020106052b8104000a0342000480ef3bac9d68cf374cbc9c9943e180043a94c462ef8270274e57089d5dcdba1b"
      "8fbf83b7546ccc1b3781377776e9c4710fdf533ed9bcba8d8ebb32a14a2aba11"));
  CHECK(secp.to_text() == "t2kpu-6xt6l-tyb3d-rll2p-irv5c-no5nd-h6spj-jsetq-bmqdz-iap77-pqe");
  CHECK(secp.is_self_authenticating());
  CHECK(secp.bytes().size() == 29);
  auto p256 = Principal::self_authenticating(hex(
      "3059301306072a8648ce3d020106082a8648ce3d0301070342000451b6d957835ead94cf59f6d0ef8f7f18d2eef13687f01512fc8efffa2a"
      "6cbbe30fcb07e70452194a4b38c466c0fd96dacecacc978bf8e3a53950857108619a2b"));
  CHECK(p256.to_text() == "pcumv-cp3m6-gja2q-7nvsb-5m3ix-ceiux-trbcz-ebw3i-strt4-xo6vs-hae");
  auto ed = Principal::self_authenticating(
      hex("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  CHECK(ed.to_text() == "e73il-iz5tp-nkgt7-idxyw-ngkah-47bpv-qdase-pzde6-g6vwc-a3eql-jae");
  auto root = Principal::self_authenticating(hex(
      "308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100"
      "814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e4"
      "67db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae"));
  CHECK(root.to_text() == "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe");
  CHECK(Principal::from_text("tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe").value() == root);
}

TEST_CASE("principal text errors say what is wrong", "[principal]") {
  CHECK(contains(err(""), "empty"));
  CHECK(contains(err("rwlgt-iiaaa-aaaab-aaaaa-cai"), "checksum"));
  CHECK(contains(err("rwlgt-iiaaa-aaaaa-aaaaa-ca"), "base32"));      // impossible length
  CHECK(contains(err("rwlgtiiaaa-aaaaa-aaaaa-cai"), "expected '-' at position 5"));
  CHECK(contains(err("rwlg-tiiaaa-aaaaa-aaaaa-cai"), "misplaced '-' at position 4"));
  CHECK(contains(err("rwlgt-iiaaa-aaaaa-aaaaa-cai-"), "trailing '-'"));
  CHECK(contains(err("rwlgt-iiaa0-aaaaa-aaaaa-cai"), "invalid character '0' at position 10"));
  CHECK(contains(err("rwlgt iiaaa-aaaaa-aaaaa-cai"), "position 5"));
  CHECK(contains(err("aaaa"), "too short"));
  std::string long_text;
  for (int i = 0; i < 11; ++i) long_text += "aaaaa-";
  long_text += "aa";
  CHECK(contains(err(long_text), "63"));
  // 30 bytes: well-formed base32 and checksum, but too long (the text limit already catches it).
  Bytes thirty(30, 0x11);
  uint32_t crc = crc32(thirty);
  Bytes buf{uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)};
  for (uint8_t b : thirty) buf.push_back(b);
  std::string b32 = base32_encode(buf), grouped;
  for (size_t i = 0; i < b32.size(); ++i) grouped += (i && i % 5 == 0 ? "-" : "") + std::string(1, b32[i]);
  CHECK(contains(err(grouped), "more than the maximum of 63"));

  CHECK_FALSE(Principal::from_bytes(Bytes(30, 0)).ok());
  CHECK(Principal::from_bytes(Bytes(29, 0)).ok());
}

TEST_CASE("principal classes (ic-protocol.md §3.1)", "[principal]") {
  CHECK(std::string(principal_class_name(Principal::management())) == "management");
  CHECK(std::string(principal_class_name(Principal::anonymous())) == "anonymous");
  CHECK(std::string(principal_class_name(Principal::self_authenticating(as_view("key")))) == "self-authenticating");
  CHECK(std::string(principal_class_name(Principal::from_canister_index(7))) == "opaque");
  CHECK(std::string(principal_class_name(Principal::from_bytes(hex("abcd03")).value())) == "derived");
  CHECK(std::string(principal_class_name(Principal::from_bytes(hex("ab7f")).value())) == "reserved");
  CHECK(std::string(principal_class_name(Principal::from_bytes(Bytes(28, 2)).value())) == "opaque");  // 02 but not 29 bytes
}

TEST_CASE("principal ordering is bytewise", "[principal]") {
  auto a = Principal::from_canister_index(1), b = Principal::from_canister_index(2);
  CHECK(a < b);
  CHECK(Principal::management() < Principal::anonymous());
  CHECK(Principal::from_bytes(hex("00")).value() < Principal::from_bytes(hex("0000")).value());
  CHECK(Principal::from_bytes(hex("01")).value() > Principal::from_bytes(hex("0001")).value());
  CHECK(a == Principal::from_text(a.to_text()).value());
}
