// libFuzzer target for the local network's request decoder (src/replica/http/ingress.h): any bytes posted to
// any endpoint must give a checked request or a 4xx with a message, never a crash, hang or 5xx.
#include <cstddef>
#include <cstdint>
#include <string>

#include "replica/http/ingress.h"

namespace {

using namespace replica::ingress;

constexpr uint64_t kNow = 1'760'000'000'000'000'000ull;  // the corpus' signed requests expire after this

const NodeFacts& facts() {
  static const NodeFacts f = [] {
    NodeFacts n;
    n.now_ns = kNow;
    n.subnet_id = ic::Principal::self_authenticating(ic::to_bytes("fuzz subnet"));
    n.ranges = {{ic::Principal::from_canister_index(0), ic::Principal::from_canister_index(0xFFFFF)}};
    return n;
  }();
  return f;
}

void expect_4xx(const Problem& p) {
  if (p.status < 400 || p.status > 499) __builtin_trap();
  if (p.message.empty()) __builtin_trap();
}

}  // namespace

// Input: one byte choosing the endpoint, then the body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kPaths[] = {
      "/api/v2/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/call",       "/api/v3/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/call",
      "/api/v4/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/call",       "/api/v2/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/query",
      "/api/v3/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/query",      "/api/v3/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/read_state",
      "/api/v2/canister/rrkah-fqaaa-aaaaa-aaaaq-cai/read_state", "/api/v3/canister/aaaaa-aa/call",
  };
  ic::ByteView body(data + 1, size - 1);
  Route route;
  if (data[0] == 0xff) {
    // The URL parser itself, on arbitrary text.
    auto r = parse_route(std::string(body.begin(), body.end()));
    if (!r) expect_4xx(r.problem());
    return 0;
  }
  if (data[0] == 0xfe) {
    auto r = parse_route("/api/v3/subnet/" + facts().subnet_id.to_text() + "/read_state");
    route = *r;
  } else {
    auto r = parse_route(kPaths[data[0] % (sizeof kPaths / sizeof kPaths[0])]);
    if (!r) __builtin_trap();
    route = *r;
  }
  auto req = validate(body, route, facts());
  if (!req) {
    expect_4xx(req.problem());
    return 0;
  }
  if (req->request_id == ic::Hash256{}) __builtin_trap();
  if (req->kind == Kind::ReadState) {
    StateAccess access;
    access.subnet_id = facts().subnet_id;
    access.request_origin = [](const ic::Hash256& rid) -> std::optional<std::pair<ic::Principal, ic::Principal>> {
      if (rid[0] & 1) return std::make_pair(ic::Principal::anonymous(), ic::Principal::from_canister_index(1));
      return std::nullopt;
    };
    access.controllers = [](const ic::Principal&) { return std::optional<std::vector<ic::Principal>>(); };
    access.is_private_metadata = [](const ic::Principal&, const std::string& n) { return !n.empty() && n[0] == 's'; };
    auto ok = check_read_state_paths(*req, route, access);
    if (!ok) expect_4xx(ok.problem());
  }
  return 0;
}
