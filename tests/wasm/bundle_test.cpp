// The modules embedded in hubctl (src/bundle) against the files the wasm build produced.
#include <openssl/sha.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "bundle/bundle.h"

namespace {

std::vector<std::string> expected_paths() {
  std::vector<std::string> out;
  std::stringstream ss(HUBCTL_WASM_MODULES);  // comma-separated build/wasm/<name>.wasm paths
  for (std::string p; std::getline(ss, p, ',');)
    if (!p.empty()) out.push_back(p);
  return out;
}

std::string stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  return base.substr(0, base.size() - 5);  // ".wasm"
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string sha256_hex(const uint8_t* data, size_t size) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(data, size, digest);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : digest) s += {hex[b >> 4], hex[b & 15]};
  return s;
}

}  // namespace

TEST_CASE("every built module is embedded, byte for byte, with its SHA-256") {
  auto paths = expected_paths();
  auto all = bundle::bundled_wasms();
  REQUIRE(all.size() == paths.size());
  std::sort(paths.begin(), paths.end(), [](auto& a, auto& b) { return stem(a) < stem(b); });
  for (size_t i = 0; i < paths.size(); ++i) {
    const bundle::BundledWasm& w = all[i];
    INFO(paths[i]);
    CHECK(w.name == stem(paths[i]));
    std::vector<uint8_t> file = read_file(paths[i]);
    REQUIRE(w.bytes.size() == file.size());
    CHECK(std::equal(w.bytes.begin(), w.bytes.end(), file.begin()));
    REQUIRE(w.bytes.size() >= 8);
    const uint8_t magic_and_version[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    CHECK(std::equal(std::begin(magic_and_version), std::end(magic_and_version), w.bytes.begin()));
    CHECK(w.sha256_hex == sha256_hex(w.bytes.data(), w.bytes.size()));
    CHECK(bundle::find_bundled_wasm(w.name) == &w);
  }
}

TEST_CASE("find_bundled_wasm") {
  CHECK(bundle::find_bundled_wasm("no-such-canister") == nullptr);
  CHECK(bundle::find_bundled_wasm("") == nullptr);
  if (!expected_paths().empty()) {
    const bundle::BundledWasm* hello = bundle::find_bundled_wasm("hello");
    REQUIRE(hello != nullptr);
    CHECK(hello->sha256_hex.size() == 64);
  }
}
