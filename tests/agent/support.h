// Test fixtures for the agent: a miniature IC (a root key, a delegated subnet, node keys) that builds and
// BLS-signs certificates with src/bls, and an HTTP server on 127.0.0.1 (cpp-httplib, ephemeral port) whose
// answers each test scripts.
#pragma once

#include <httplib.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bls/bls.h"
#include "ic/cbor.h"
#include "ic/crypto/keys.h"
#include "ic/hash_tree.h"
#include "ic/leb128.h"
#include "ic/principal.h"
#include "ic/request_id.h"

namespace testnet {

using ic::Bytes;
using ic::cbor::Value;

inline Bytes leb(uint64_t v) {
  Bytes b;
  ic::write_uleb(b, v);
  return b;
}

inline bls::SecretKey secret_key(uint8_t seed) {
  Bytes ikm(32, seed);
  return bls::SecretKey::generate(ikm).value();
}

// The tagged CBOR array of [first, last] principal pairs used for canister ranges (ic-protocol.md §4.3).
inline Bytes ranges_cbor(const std::vector<std::pair<ic::Principal, ic::Principal>>& ranges) {
  Value arr = Value::array();
  for (auto& [a, b] : ranges) arr.push(Value::array({Value::bytes(a.view()), Value::bytes(b.view())}));
  return ic::cbor::encode_self_describe(arr);
}

// {tree, signature, ?delegation} signed with `sk` over "\x0Dic-state-root" · root hash.
inline Bytes certificate(const ic::HashTree& tree, const bls::SecretKey& sk,
                         std::optional<std::pair<ic::Principal, Bytes>> delegation = std::nullopt) {
  ic::Hash256 root = tree.digest();
  auto sig = bls::sign(sk, ic::domain_separated("ic-state-root", root));
  Value c = Value::text_map({{"tree", tree.to_cbor()}, {"signature", Value::bytes(ic::ByteView(sig))}});
  if (delegation)
    c.set("delegation", Value::text_map({{"subnet_id", Value::bytes(delegation->first.view())},
                                          {"certificate", Value::bytes(delegation->second)}}));
  return ic::cbor::encode_self_describe(c);
}

inline ic::Path path(std::initializer_list<ic::ByteView> labels) {
  ic::Path p;
  for (auto l : labels) p.emplace_back(l.begin(), l.end());
  return p;
}
inline ic::ByteView txt(std::string_view s) { return ic::as_view(s); }

// A root key and one application subnet holding canisters [first, last], delegated by the root.
struct Net {
  bls::SecretKey root_sk = secret_key(1);
  bls::SecretKey subnet_sk = secret_key(2);
  Bytes root_der = bls::public_key(root_sk).to_der();
  Bytes subnet_der = bls::public_key(subnet_sk).to_der();
  ic::Principal subnet = ic::Principal::self_authenticating(subnet_der);
  ic::Principal first = ic::Principal::from_canister_index(0x100000);
  ic::Principal last = ic::Principal::from_canister_index(0x1fffff);
  ic::crypto::PrivateKey node_key = ic::crypto::PrivateKey::generate(ic::crypto::KeyType::Ed25519).value();
  ic::Principal node = ic::Principal::self_authenticating(node_key.public_key_der());
  bool sharded = true;
  uint64_t delegation_time = 1'700'000'000'000'000'000ull;

  // The delegation certificate: the subnet's key and ranges, sharded (/canister_ranges/<sid>/<first>) or flat.
  Bytes delegation_cert(std::optional<std::vector<std::pair<ic::Principal, ic::Principal>>> ranges = std::nullopt) const {
    auto rs = ranges ? *ranges : std::vector<std::pair<ic::Principal, ic::Principal>>{{first, last}};
    std::vector<std::pair<ic::Path, Bytes>> entries = {
        {path({txt("subnet"), subnet.view(), txt("public_key")}), subnet_der},
        {path({txt("time")}), leb(delegation_time)}};
    if (sharded)
      entries.push_back({path({txt("canister_ranges"), subnet.view(), rs.front().first.view()}), ranges_cbor(rs)});
    else
      entries.push_back({path({txt("subnet"), subnet.view(), txt("canister_ranges")}), ranges_cbor(rs)});
    return certificate(ic::HashTree::build(entries).value(), root_sk);
  }

  // A subnet-signed certificate with /time and the given entries, delegated by the root.
  Bytes cert(uint64_t time_ns, std::vector<std::pair<ic::Path, Bytes>> entries = {}) const {
    entries.push_back({path({txt("time")}), leb(time_ns)});
    return certificate(ic::HashTree::build(entries).value(), subnet_sk, std::make_pair(subnet, delegation_cert()));
  }

  // The /subnet part of the state tree for query-signature checks.
  std::vector<std::pair<ic::Path, Bytes>> subnet_entries() const {
    return {{path({txt("subnet"), subnet.view(), txt("public_key")}), subnet_der},
            {path({txt("subnet"), subnet.view(), txt("node"), node.view(), txt("public_key")}), node_key.public_key_der()}};
  }
};

// An HTTP server on 127.0.0.1 (ephemeral port) answering every request with `handler`; it records the
// "METHOD path" of each request.
class Server {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit Server(Handler h) : handler_(std::move(h)) {
    auto wrap = [this](const httplib::Request& rq, httplib::Response& rs) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        hits_.push_back(rq.method + " " + rq.path);
      }
      handler_(rq, rs);
    };
    svr_.Get(".*", wrap);
    svr_.Post(".*", wrap);
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    // stop() before the accept loop runs would leave it running forever.
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Server() {
    svr_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  int count(const std::string& needle) {
    int n = 0;
    for (auto& h : hits())
      if (h.find(needle) != std::string::npos) ++n;
    return n;
  }

 private:
  Handler handler_;
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> hits_;
};

inline void cbor_reply(httplib::Response& rs, const Value& v, int status = 200) {
  Bytes b = ic::cbor::encode_self_describe(v);
  rs.status = status;
  rs.set_content(std::string(b.begin(), b.end()), "application/cbor");
}

}  // namespace testnet
