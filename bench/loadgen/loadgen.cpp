// Load generator for the suite over the real protocol: many Ed25519 identities in parallel register through the
// hub's routing, submit quizzes and unstake, each request signed and sent over HTTP like any client.
// Usage: build/bench/suite_loadgen --url http://127.0.0.1:4943 --hub ID --users 200 --concurrency 16 --unit math/1 --answers 0,1,2
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "agent/agent.h"
#include "agent/identity.h"
#include "agent/transport.h"
#include "hub/interfaces.h"

namespace {

struct Stats {
  std::mutex mu;
  std::map<std::string, std::vector<double>> latency_ms;
  std::map<std::string, int> outcomes;
  void record(const std::string& op, double ms, const std::string& outcome) {
    std::lock_guard lock(mu);
    latency_ms[op].push_back(ms);
    outcomes[op + " " + outcome]++;
  }
};

std::string outcome_of(const ic::Result<agent::Reply>& r, const char* canister, const char* method) {
  if (!r) return "error: " + r.error().message.substr(0, 80);
  if (r->rejected) return "rejected " + std::to_string(r->reject_code);
  auto d = hub::decode_reply(canister, method, r->arg);
  if (!d) return "undecodable";
  auto tag = d->first().variant_tag();
  if (!tag) return "ok";
  if (*tag == "Ok") return "Ok";
  auto v = d->first().variant_value();
  std::string s = "Err " + (v ? v->render(60) : std::string("?"));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hubctl load generator: register users, submit quizzes and unstake through the IC HTTP interface"};
  std::string url = "http://127.0.0.1:4943", hub_text, unit, answers = "0", root_key_hex;
  int users = 100, concurrency = 16, quizzes = 1, retries = 60;
  uint64_t unstake = 0;
  app.add_option("--url", url, "Replica URL");
  app.add_option("--hub", hub_text, "staking_hub canister id")->required();
  app.add_option("--users", users, "Users to register");
  app.add_option("--concurrency", concurrency, "Users driven at once");
  app.add_option("--unit", unit, "Unit id to submit (e.g. math/1); empty: register only");
  app.add_option("--answers", answers, "Answer indices, comma separated");
  app.add_option("--quizzes", quizzes, "Submissions per user");
  app.add_option("--unstake", unstake, "Unstake this many e8s per user after the quizzes (0: none)");
  app.add_option("--retries", retries, "Seconds a user waits for a shard with room (all full: the hub adds one)");
  app.add_option("--root-key", root_key_hex, "Root key (hex DER); fetched from loopback URLs when omitted");
  CLI11_PARSE(app, argc, argv);

  auto hub = ic::Principal::from_text(hub_text);
  if (!hub) {
    std::fprintf(stderr, "--hub: %s\n", hub.error().message.c_str());
    return 3;
  }
  ic::Bytes root_key;
  if (!root_key_hex.empty()) {
    root_key = ic::from_hex(root_key_hex).value_or(ic::Bytes{});
  } else {
    agent::AgentOptions o;
    o.url = url;
    agent::Agent a(o);
    auto k = a.fetch_root_key();
    if (!k) {
      std::fprintf(stderr, "fetching the root key: %s\n", k.error().to_string().c_str());
      return 2;
    }
    root_key = *k;
  }
  std::string answers_blob = "blob \"";
  for (size_t i = 0; i < answers.size();) {
    size_t j = answers.find(',', i);
    int v = std::stoi(answers.substr(i, j == std::string::npos ? std::string::npos : j - i));
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%02x", v);
    answers_blob += buf;
    if (j == std::string::npos) break;
    i = j + 1;
  }
  answers_blob += "\"";

  Stats stats;
  std::atomic<int> next{0};
  auto t0 = std::chrono::steady_clock::now();
  auto timed = [&](const char* op, auto&& f) {
    auto s = std::chrono::steady_clock::now();
    auto r = f();
    return std::make_pair(std::move(r), std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < std::max(1, concurrency); ++w) {
    threads.emplace_back([&] {
      for (int u = next++; u < users; u = next++) {
        auto key = ic::crypto::PrivateKey::generate(ic::crypto::KeyType::Ed25519);
        if (!key) continue;
        agent::AgentOptions o;
        o.url = url;
        o.root_key = root_key;
        o.identity = agent::key_identity(*key);
        agent::Agent a(o);
        // Route and register; when every shard is full the hub adds one on its timer, so wait and retry.
        std::optional<ic::Principal> shard;
        std::string out;
        for (int attempt = 0; attempt <= retries; ++attempt) {
          if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
          auto [route, ms0] = timed("route", [&] {
            return a.query(*hub, "get_shard_for_new_user",
                           hub::encode_call_args("staking_hub", "get_shard_for_new_user", "()").value(), *hub);
          });
          shard.reset();
          if (route && !route->rejected)
            if (auto d = hub::decode_reply("staking_hub", "get_shard_for_new_user", route->arg))
              if (auto o2 = d->first().opt(); o2 && *o2)
                if (auto p = (*o2)->principal()) shard = *p;
          stats.record("route", ms0, shard ? "ok" : "no shard");
          if (!shard) continue;
          std::string profile = "(record { email = \"user" + std::to_string(u) + "@example.org\"; name = \"User " +
                                std::to_string(u) + "\"; education = \"bachelor\"; gender = \"other\" })";
          auto [reg, ms1] = timed("register_user", [&] {
            return a.call(*shard, "register_user", hub::encode_call_args("user_profile", "register_user", profile).value(), *shard);
          });
          out = outcome_of(reg, "user_profile", "register_user");
          stats.record("register_user", ms1, out);
          if (out.rfind("Err ShardFull", 0) != 0) break;
        }
        if (!shard) continue;
        if (out != "Ok" || unit.empty()) continue;
        for (int q = 0; q < quizzes; ++q) {
          auto [sub, ms2] = timed("submit_quiz", [&] {
            return a.call(*shard, "submit_quiz",
                          hub::encode_call_args("user_profile", "submit_quiz", "(\"" + unit + "\", " + answers_blob + ")").value(),
                          *shard);
          });
          stats.record("submit_quiz", ms2, outcome_of(sub, "user_profile", "submit_quiz"));
        }
        if (unstake > 0) {
          auto [un, ms3] = timed("unstake", [&] {
            return a.call(*shard, "unstake",
                          hub::encode_call_args("user_profile", "unstake", "(" + std::to_string(unstake) + " : nat64)").value(),
                          *shard);
          });
          stats.record("unstake", ms3, outcome_of(un, "user_profile", "unstake"));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d users, concurrency %d, %.1f s\n", users, concurrency, secs);
  for (auto& [op, v] : stats.latency_ms) {
    std::sort(v.begin(), v.end());
    std::printf("%-14s %6zu calls  %7.1f/s  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms\n", op.c_str(), v.size(),
                v.size() / secs, v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)], v.back());
  }
  for (auto& [k, n] : stats.outcomes) std::printf("  %-50s %d\n", k.c_str(), n);
  return 0;
}
