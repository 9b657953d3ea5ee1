// A scripted replica for agent and CLI tests: it checks each envelope's signature, runs calls through a
// test-supplied function, and certifies request status, /time, /subnet and /canister data with testnet keys.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/request.h"
#include "support.h"

namespace testnet {

using ic::Principal;

struct Outcome {
  bool reject = false;
  Bytes reply;
  uint64_t code = 0;
  std::string message, error_code;
};

// A replica in miniature: checks every envelope's signature, executes calls with `app`, and certifies
// request status, /time and /subnet with the test network's keys.
struct FakeReplica {
  testnet::Net net;
  uint64_t time_ns = 1'760'000'000'000'000'000ull;
  std::set<int> call_versions{2, 3, 4}, query_versions{2, 3}, read_versions{2, 3};
  std::deque<int> fail_with;       // statuses answered (and consumed) before anything else
  int processing_polls = 0;        // read_states that see "processing" before the outcome
  bool sync = true;                // v3/v4 calls answer with a certificate at once
  std::string call_error;          // a 400 body for calls (e.g. an expiry complaint)
  bool tamper_query = false, unknown_node = false, no_signatures = false, non_replicated = false;
  std::optional<std::vector<std::pair<Principal, Principal>>> ranges;  // delegation ranges override
  std::function<Outcome(const std::string& method, const Bytes& arg, const Principal& ecid)> app =
      [](const std::string& m, const Bytes& arg, const Principal&) {
        Outcome o;
        o.reply = arg;  // echo
        if (m == "fail") o = Outcome{true, {}, 5, "trapped", "IC0503"};
        return o;
      };

  // Certified canister data: module hash (absent when nullopt) and controllers.
  struct CanisterData {
    std::optional<Bytes> module_hash;
    std::vector<Principal> controllers;
  };
  std::map<Principal, CanisterData> canisters;

  std::map<ic::Hash256, Outcome> done;
  std::map<ic::Hash256, int> polls;
  std::vector<std::string> methods;
  int bad_envelopes = 0;

  Bytes cert(std::vector<std::pair<ic::Path, Bytes>> entries) {
    entries.push_back({ic::make_path({"time"}), testnet::leb(time_ns)});
    auto tree = ic::HashTree::build(entries).value();
    Bytes deleg = net.delegation_cert(ranges);
    return testnet::certificate(tree, net.subnet_sk, std::make_pair(net.subnet, deleg));
  }

  std::vector<std::pair<ic::Path, Bytes>> status_entries(const ic::Hash256& rid, const std::string& forced = "") {
    auto p = [&](std::string_view leaf) {
      return testnet::path({testnet::txt("request_status"), ic::ByteView(rid), testnet::txt(leaf)});
    };
    auto it = done.find(rid);
    if (it == done.end()) return {};
    if (!forced.empty()) return {{p("status"), ic::to_bytes(forced)}};
    const Outcome& o = it->second;
    if (!o.reject) return {{p("status"), ic::to_bytes("replied")}, {p("reply"), o.reply}};
    return {{p("status"), ic::to_bytes("rejected")}, {p("reject_code"), testnet::leb(o.code)},
            {p("reject_message"), ic::to_bytes(o.message)}, {p("error_code"), ic::to_bytes(o.error_code)}};
  }

  void handle(const httplib::Request& rq, httplib::Response& rs) {
    if (!fail_with.empty()) {
      rs.status = fail_with.front();
      fail_with.pop_front();
      rs.set_content("try later", "text/plain");
      return;
    }
    if (rq.method == "GET" && rq.path == "/api/v2/status") {
      testnet::cbor_reply(rs, Value::text_map({{"impl_version", Value::text("test")},
                                               {"replica_health_status", Value::text("healthy")},
                                               {"root_key", Value::bytes(net.root_der)}}));
      return;
    }
    // /api/v<N>/canister/<id>/<kind>
    int version = rq.path.size() > 6 ? rq.path[6] - '0' : 0;
    std::string kind = rq.path.substr(rq.path.rfind('/') + 1);
    std::string ecid_text = rq.path.substr(0, rq.path.rfind('/'));
    ecid_text = ecid_text.substr(ecid_text.rfind('/') + 1);
    Principal ecid = Principal::from_text(ecid_text).value();
    const std::set<int>& supported = kind == "call" ? call_versions : kind == "query" ? query_versions : read_versions;
    if (!supported.count(version)) {
      rs.status = 404;
      return;
    }
    auto env = agent::decode_envelope(ic::as_view(rq.body)).value();
    ic::Hash256 rid = ic::request_id(env.content).value();
    Principal sender = Principal::from_bytes(*env.content.get("sender")->as_bytes()).value();
    if (env.sender_pubkey &&
        (!ic::crypto::verify_signature(*env.sender_pubkey, ic::request_signing_payload(rid), *env.sender_sig).ok() ||
         Principal::self_authenticating(*env.sender_pubkey) != sender))
      ++bad_envelopes;
    if (kind == "call") {
      if (!call_error.empty()) {
        rs.status = 400;
        rs.set_content(call_error, "text/plain");
        return;
      }
      std::string method(*env.content.get("method_name")->as_text());
      methods.push_back(method);
      Bytes arg = *env.content.get("arg")->as_bytes();
      if (non_replicated) {
        Value r = Value::text_map({{"status", Value::text("non_replicated_rejection")},
                                   {"reject_code", Value::uint(4)},
                                   {"reject_message", Value::text("inspect_message refused")},
                                   {"error_code", Value::text("IC0406")}});
        if (version == 2) r = Value::text_map({{"reject_code", Value::uint(4)}, {"reject_message", Value::text("inspect_message refused")}});
        testnet::cbor_reply(rs, r);
        return;
      }
      done[rid] = app(method, arg, ecid);
      if (version >= 3 && sync) {
        testnet::cbor_reply(rs, Value::text_map({{"status", Value::text("replied")},
                                                 {"certificate", Value::bytes(cert(status_entries(rid)))}}));
        return;
      }
      rs.status = 202;
      return;
    }
    if (kind == "read_state") {
      std::vector<std::pair<ic::Path, Bytes>> entries;
      for (const Value& path : *env.content.get("paths")->as_array()) {
        const auto& labels = *path.as_array();
        std::string first(labels[0].as_bytes()->begin(), labels[0].as_bytes()->end());
        if (first == "request_status") {
          ic::Hash256 asked{};
          std::copy(labels[1].as_bytes()->begin(), labels[1].as_bytes()->end(), asked.begin());
          bool processing = polls[asked]++ < processing_polls;
          for (auto& e : status_entries(asked, processing ? "processing" : "")) entries.push_back(e);
        } else if (first == "subnet") {
          for (auto& e : net.subnet_entries()) entries.push_back(e);
        } else if (first == "canister") {
          auto cid = Principal::from_bytes(*labels[1].as_bytes()).value();
          auto it = canisters.find(cid);
          if (it == canisters.end()) continue;
          auto p = [&](std::string_view leaf) { return testnet::path({testnet::txt("canister"), cid.view(), testnet::txt(leaf)}); };
          std::string leaf(labels[2].as_bytes()->begin(), labels[2].as_bytes()->end());
          if (leaf == "module_hash" && it->second.module_hash) entries.push_back({p("module_hash"), *it->second.module_hash});
          if (leaf == "controllers") {
            Value arr = Value::array();
            for (auto& c : it->second.controllers) arr.push(Value::bytes(c.view()));
            entries.push_back({p("controllers"), ic::cbor::encode_self_describe(arr)});
          }
        }
      }
      testnet::cbor_reply(rs, Value::text_map({{"certificate", Value::bytes(cert(entries))}}));
      return;
    }
    // query: echo, signed by the node over hash_of_map({status, reply, timestamp, request_id}) (§1.6).
    Bytes arg = *env.content.get("arg")->as_bytes();
    Value signed_part = Value::text_map({{"status", Value::text("replied")},
                                         {"reply", Value::text_map({{"arg", Value::bytes(arg)}})},
                                         {"timestamp", Value::uint(time_ns)},
                                         {"request_id", Value::bytes(ic::ByteView(rid))}});
    Bytes sig = net.node_key.sign(ic::domain_separated("ic-response", ic::hash_of_map(signed_part).value())).value();
    Principal node = unknown_node ? Principal::from_canister_index(99) : net.node;
    Value sigs = Value::array();
    if (!no_signatures)
      sigs.push(Value::text_map({{"timestamp", Value::uint(time_ns)},
                                 {"signature", Value::bytes(sig)},
                                 {"identity", Value::bytes(node.view())}}));
    if (tamper_query) arg.push_back(0);
    testnet::cbor_reply(rs, Value::text_map({{"status", Value::text("replied")},
                                             {"reply", Value::text_map({{"arg", Value::bytes(arg)}})},
                                             {"signatures", sigs}}));
  }
};

}  // namespace testnet
