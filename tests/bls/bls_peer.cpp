// A line-oriented peer for tests/bls/noble_interop.mjs: lets @noble/curves and src/bls check each
// other live on random keys and messages. Commands (hex arguments), one reply line each:
//   keygen IKM      -> SK PK        sign SK MSG -> SIG        verify SIG MSG PK -> 1 | 0
#include <iostream>
#include <sstream>
#include <string>

#include "bls/bls.h"
#include "ic/bytes.h"

namespace {

std::string hex(ic::ByteView b) { return ic::to_hex(b); }

std::string run(const std::string& line) {
  std::istringstream in(line);
  std::string cmd, a, b, c;
  in >> cmd >> a >> b >> c;
  // "-" stands for empty bytes (an empty message), which whitespace splitting would otherwise lose.
  auto arg = [](const std::string& h) { return ic::from_hex(h == "-" ? "" : h); };
  auto A = arg(a), B = arg(b), C = arg(c);
  if (cmd == "keygen" && A) {
    auto sk = bls::SecretKey::generate(*A);
    if (!sk) return "error " + sk.error().message;
    auto skb = sk->to_bytes();
    return hex(skb) + " " + hex(bls::public_key(*sk).bytes());
  }
  if (cmd == "sign" && A && B) {
    auto sk = bls::SecretKey::from_bytes(*A);
    if (!sk) return "error " + sk.error().message;
    return hex(bls::sign(*sk, *B));
  }
  if (cmd == "verify" && A && B && C) return bls::verify(*A, *B, *C) ? "1" : "0";
  return "error bad command: " + line;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) std::cout << run(line) << std::endl;
}
