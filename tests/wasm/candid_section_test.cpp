// The `icp:public candid:service` custom section of the built modules: present exactly once and equal,
// byte for byte, to the .did file beside the canister (interface spec "Custom sections").
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<unsigned char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint64_t uleb(const std::vector<unsigned char>& b, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; pos < b.size() && shift < 64; shift += 7) {
    unsigned char c = b[pos++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
  FAIL("truncated LEB128 at byte " << pos);
  return 0;
}

// Contents of every custom section called `name`, in module order.
std::vector<std::string> custom_sections(const std::vector<unsigned char>& wasm, const std::string& name) {
  REQUIRE(wasm.size() >= 8);
  std::vector<std::string> found;
  size_t pos = 8;
  while (pos < wasm.size()) {
    unsigned char id = wasm[pos++];
    uint64_t size = uleb(wasm, pos);
    REQUIRE(size <= wasm.size() - pos);
    size_t end = pos + size;
    if (id == 0) {
      size_t p = pos;
      uint64_t n = uleb(wasm, p);
      REQUIRE(n <= end - p);
      if (std::string(wasm.begin() + p, wasm.begin() + p + n) == name)
        found.emplace_back(wasm.begin() + p + n, wasm.begin() + end);
    }
    pos = end;
  }
  return found;
}

void check(const std::string& wasm_path, const std::string& did_path) {
  INFO(wasm_path);
  auto sections = custom_sections(read_file(wasm_path), "icp:public candid:service");
  REQUIRE(sections.size() == 1);
  auto did = read_file(did_path);
  CHECK(sections[0] == std::string(did.begin(), did.end()));
}

}  // namespace

TEST_CASE("kit_test and hello embed their .did files") {
  check(HUBCTL_WASM_DIR "/kit_test.wasm", HUBCTL_ROOT_DIR "/src/canisters/kit_test/kit_test.did");
  check(HUBCTL_WASM_DIR "/hello.wasm", HUBCTL_ROOT_DIR "/src/canisters/hello/hello.did");
  CHECK(custom_sections(read_file(HUBCTL_WASM_DIR "/empty.wasm"), "icp:public candid:service").empty());
}

TEST_CASE("the suite's canisters embed candid/<name>.did") {
  for (auto name : {"staking_hub", "user_profile", "learning_content", "icrc1_ledger"})
    check(std::string(HUBCTL_WASM_DIR) + "/" + name + ".wasm", std::string(HUBCTL_ROOT_DIR) + "/candid/" + name + ".did");
}

TEST_CASE("user_profile fits the hub's install message") {
  // The hub installs the shard wasm it embeds in one inter-canister message, and the hub's own install must
  // carry it under the 2 MiB ingress limit (SPEC.md "Deploy"): 1.5 MiB is the hard limit, 200 KiB the goal.
  auto wasm = read_file(HUBCTL_WASM_DIR "/user_profile.wasm");
  CHECK(wasm.size() <= 1536 * 1024);
}
