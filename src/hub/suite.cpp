// Readers of the deployed suite (suite.h). Replies of the suite's canisters are decoded at the types of the
// embedded interfaces; the ledger (possibly not ours) is read through the ICRC-1/ICRC-3 standard shapes.
#include "hub/suite.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "agent/certificate.h"
#include "candid/binary.h"
#include "candid/text/text.h"
#include "hub/icrc3.h"
#include "hub/interfaces.h"

namespace hub {

using ic::Errc;
using ic::make_error;

ic::Status parallel_for(size_t n, size_t concurrency, const SourceFactory& make,
                        const std::function<void(Source&, size_t)>& task) {
  if (n == 0) return {};
  size_t workers = std::max<size_t>(1, std::min(concurrency, n));
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::optional<ic::Error> first_error;
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      auto src = make();
      if (!src) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = src.error();
        return;
      }
      for (size_t i = next++; i < n; i = next++) task(**src, i);
    });
  }
  for (auto& t : threads) t.join();
  if (first_error) return *first_error;
  return {};
}

namespace {

std::string id_label(const ic::Principal& p) {
  return std::string(reinterpret_cast<const char*>(p.bytes().data()), p.bytes().size());
}

// A leaf of a certified tree holding one Candid value whose type is field `field` of record `type_name`.
ic::Result<candid::Args> decode_leaf(const candid::text::DidFile& did, std::string_view type_name,
                                     std::string_view field, ic::ByteView leaf) {
  auto it = did.names.find(std::string(type_name));
  if (it == did.names.end()) return make_error(Errc::internal, "interface has no type " + std::string(type_name));
  const auto& node = did.table.node(it->second);
  uint32_t id = candid::field_hash(field);
  for (auto& f : node.fields) {
    if (f.id != id) continue;
    std::vector<candid::TypeRef> types{f.type};
    auto args = candid::decode(leaf, &did.table, &types);
    if (!args) return ic::Error(args.error()).context("certified " + std::string(field));
    return args;
  }
  return make_error(Errc::internal, std::string(type_name) + " has no field " + std::string(field));
}

// Every field of record `type_name` read from tree leaves <prefix>/<field>: numbers flattened into `out`.
// Fields missing from the tree are reported (certified data must be complete).
ic::Status read_numbers(const candid::text::DidFile& did, const ic::HashTree& tree, std::string_view prefix,
                        std::string_view type_name, audit::Numbers& out, const std::string& who) {
  auto it = did.names.find(std::string(type_name));
  if (it == did.names.end()) return make_error(Errc::internal, "interface has no type " + std::string(type_name));
  for (auto& f : did.table.node(it->second).fields) {
    auto leaf = tree.lookup({prefix, f.name});
    if (!leaf.found()) continue;  // not every field is certified (e.g. blobs kept elsewhere)
    IC_TRY(candid::Args a, decode_leaf(did, type_name, f.name, leaf.value));
    CView v(a.table, a.types[0], a.values[0], who + " " + std::string(prefix) + "/" + f.name);
    if (auto n = v.nat()) {
      out[f.name] = *n;
    } else if (v.op() == candid::Op::Record) {
      for (auto& [k, val] : v.numbers()) out[f.name + "." + k] = val;
    }
  }
  return {};
}

ic::Result<ic::Bytes> query_suite(Source& src, const ic::Principal& canister, std::string_view did_name,
                                  const std::string& method, std::string_view args_text) {
  IC_TRY(ic::Bytes arg, encode_call_args(did_name, method, args_text));
  return src.query(canister, method, arg);
}

}  // namespace

ic::Result<CertifiedTree> read_certified_tree(Source& src, const ic::Principal& canister) {
  IC_TRY(ic::Bytes reply, src.query(canister, "get_certified_state", candid::encode({}, {}, {}).value()));
  IC_TRY(candid::Args a, candid::decode(reply));
  const candid::Value* rec = a.values.empty() ? nullptr : &a.values[0];
  const candid::Value* cert = rec ? rec->field(std::string_view("certificate")) : nullptr;
  const candid::Value* tree = rec ? rec->field(std::string_view("tree")) : nullptr;
  if (!cert || !tree)
    return make_error(Errc::decode, canister.to_text() + " get_certified_state: no certificate/tree in the reply");
  IC_TRY(agent::Certificate c, agent::Certificate::decode(cert->bytes));
  IC_TRY(agent::VerifiedCertificate info, agent::verify_certificate(c, src.verify_options(canister)));
  auto cd = c.lookup(ic::make_path({"canister", id_label(canister), "certified_data"}));
  if (!cd.found())
    return make_error(Errc::crypto, "the certificate from " + canister.to_text() + " does not cover its certified_data");
  IC_TRY(ic::HashTree t, ic::HashTree::decode(tree->bytes));
  auto root = t.digest();
  if (cd.value.size() != root.size() || !std::equal(root.begin(), root.end(), cd.value.begin()))
    return make_error(Errc::crypto, canister.to_text() + " returned a tree (root " + ic::to_hex(root) +
                                        ") that is not what it certified (" + ic::to_hex(cd.value) + ")",
                      "its answers cannot be trusted: the canister or the node lies");
  return CertifiedTree{std::move(t), info.time_ns};
}

audit::CanisterFacts read_canister_facts(Source& src, const ic::Principal& canister) {
  audit::CanisterFacts f;
  auto bytes = src.canister_certificate(canister);
  if (!bytes) {
    f.error = bytes.error().message;
    return f;
  }
  auto c = agent::Certificate::decode(*bytes);
  if (!c) {
    f.error = c.error().message;
    return f;
  }
  auto v = agent::verify_certificate(*c, src.verify_options(canister));
  if (!v) {
    f.error = v.error().message;
    return f;
  }
  auto mh = agent::lookup_module_hash(*c, canister);
  auto ctl = agent::lookup_controllers(*c, canister);
  if (!mh || !ctl) {
    f.error = (!mh ? mh.error() : ctl.error()).message;
    return f;
  }
  f.module_hash = *mh;
  f.controllers = *ctl;
  f.certified = true;
  return f;
}

ic::Result<HubState> read_hub(Source& src, const ic::Principal& hub) {
  IC_TRY(const candid::text::DidFile* did, suite_interface("staking_hub"));
  IC_TRY(CertifiedTree ct, read_certified_tree(src, hub));
  HubState h;
  h.id = hub;
  h.certified_time_ns = ct.time_ns;
  auto leaf = [&](const char* name) -> ic::Result<candid::Args> {
    auto l = ct.tree.lookup({"config", name});
    if (!l.found()) return make_error(Errc::decode, "the hub's certified tree has no config/" + std::string(name));
    return decode_leaf(*did, "Config", name, l.value);
  };
  IC_TRY(candid::Args ledger, leaf("ledger"));
  IC_TRY(h.ledger, CView(ledger.table, ledger.types[0], ledger.values[0]).principal());
  IC_TRY(candid::Args sha, leaf("wasm_sha256"));
  IC_TRY(h.wasm_sha256, CView(sha.table, sha.types[0], sha.values[0]).blob());
  IC_TRY(candid::Args content, leaf("learning_content"));
  IC_TRY(auto routes, CView(content.table, content.types[0], content.values[0], "learning_content").items());
  for (auto& r : routes) {
    IC_TRY(CView prefix, r.field("prefix"));
    IC_TRY(CView canister, r.field("canister"));
    IC_TRY(std::string p, prefix.text());
    IC_TRY(ic::Principal c, canister.principal());
    h.content.emplace_back(p, c);
  }
  IC_CHECK(read_numbers(*did, ct.tree, "config", "Constants", h.constants, "hub"));
  IC_CHECK(read_numbers(*did, ct.tree, "stats", "GlobalStats", h.stats, "hub"));
  if (auto t = h.stats.find("last_ensure_capacity.time"); t != h.stats.end())
    h.last_ensure_time_ns = t->second.to_u64().value_or(0);
  if (auto l = ct.tree.lookup({"stats", "last_ensure_capacity"}); l.found())
    if (auto a = decode_leaf(*did, "GlobalStats", "last_ensure_capacity", l.value))
      if (auto r = CView(a->table, a->types[0], a->values[0]).field("result"))
        h.last_ensure_result = r->text().value_or("");
  return h;
}

ic::Result<std::vector<ShardRow>> read_shard_list(Source& src, const ic::Principal& hub) {
  std::vector<ShardRow> rows;
  uint64_t start = 0;
  for (int page = 0; page < 100'000; ++page) {
    IC_TRY(ic::Bytes reply, query_suite(src, hub, "staking_hub", "list_shards",
                                        "(" + std::to_string(start) + " : nat64, 100 : nat32)"));
    IC_TRY(Reply r, decode_reply("staking_hub", "list_shards", reply));
    IC_TRY(auto items, r.at(0).items());
    for (auto& it : items) {
      ShardRow row;
      row.info = it.numbers();
      IC_TRY(CView id, it.field("id"));
      IC_TRY(row.id, id.principal());
      IC_TRY(CView idx, it.field("index"));
      IC_TRY(row.index, idx.u64());
      IC_TRY(CView status, it.field("status"));
      IC_TRY(row.status, status.variant_tag());
      rows.push_back(std::move(row));
    }
    IC_TRY(auto next, r.at(1).opt());
    if (!next) return rows;
    IC_TRY(uint64_t n, next->u64());
    if (n <= start) return make_error(Errc::decode, "list_shards returned a cursor that does not advance");
    start = n;
  }
  return make_error(Errc::limit, "list_shards did not end after 100,000 pages");
}

ic::Status read_shards(const SourceFactory& make, std::vector<ShardRow>& rows, const ShardReadOptions& opts) {
  IC_TRY(const candid::text::DidFile* did, suite_interface("user_profile"));
  return parallel_for(rows.size(), opts.concurrency, make, [&](Source& src, size_t i) {
    ShardRow& row = rows[i];
    auto ct = read_certified_tree(src, row.id);
    if (!ct) {
      row.error = ct.error().message;
    } else {
      audit::Numbers n;
      auto st = read_numbers(*did, ct->tree, "stats", "ShardStats", n, "shard " + row.id.to_text());
      if (!st.ok()) row.error = st.error().message;
      else row.stats = std::move(n);
      if (auto l = ct->tree.lookup({"stats", "last_sync_error"}); l.found())
        if (auto a = decode_leaf(*did, "ShardStats", "last_sync_error", l.value))
          if (auto o = CView(a->table, a->types[0], a->values[0]).opt(); o && *o)
            row.last_sync_error = (*o)->text().value_or("");
    }
    if (opts.balances) {
      ic::BigNat sum;
      uint64_t count = 0;
      std::string cursor = "null";
      for (int page = 0;; ++page) {
        auto reply = query_suite(src, row.id, "user_profile", "audit_balances", "(" + cursor + ", 500 : nat32)");
        if (!reply) {
          row.error = reply.error().message;
          return;
        }
        auto r = decode_reply("user_profile", "audit_balances", *reply);
        if (!r) {
          row.error = r.error().message;
          return;
        }
        auto s = r->at(0).field("sum");
        auto c = r->at(0).field("count");
        auto ns = s ? s->nat() : ic::Result<ic::BigNat>(s.error());
        auto nc = c ? c->u64() : ic::Result<uint64_t>(c.error());
        auto next = r->at(1).opt();
        if (!ns || !nc || !next) {
          row.error = "audit_balances: unexpected reply";
          return;
        }
        sum += *ns;
        count += *nc;
        if (!*next) break;
        auto p = (*next)->principal();
        if (!p || page > 1'000'000) {
          row.error = "audit_balances: bad cursor";
          return;
        }
        cursor = "opt principal \"" + p->to_text() + "\"";
      }
      row.balances_sum = sum;
      row.balances_count = count;
    }
    if (opts.facts) row.facts = read_canister_facts(src, row.id);
  });
}

audit::LedgerObservation read_ledger(Source& src, const ic::Principal& ledger) {
  audit::LedgerObservation l;
  l.id = ledger;
  l.present = true;
  l.facts = read_canister_facts(src, ledger);
  auto empty = candid::encode({}, {}, {}).value();
  if (auto r = src.query(ledger, "icrc1_minting_account", empty)) {
    if (auto a = candid::decode(*r); a && !a->values.empty() && !a->values[0].items.empty()) {
      const candid::Value& acct = a->values[0].items[0];
      if (const candid::Value* owner = acct.field(std::string_view("owner")))
        if (auto p = ic::Principal::from_bytes(owner->bytes)) l.minting_owner = *p;
      if (const candid::Value* sub = acct.field(std::string_view("subaccount")))
        if (!sub->items.empty() && std::any_of(sub->items[0].bytes.begin(), sub->items[0].bytes.end(),
                                               [](uint8_t b) { return b != 0; }))
          l.minting_subaccount_default = false;
    }
  }
  if (auto r = src.query(ledger, "icrc1_total_supply", empty))
    if (auto a = candid::decode(*r); a && !a->values.empty()) l.total_supply = a->values[0].number.magnitude();

  // The certified tip, then the blocks up to it.
  auto tip_reply = src.query(ledger, "icrc3_get_tip_certificate", empty);
  if (!tip_reply) {
    l.chain_error = "icrc3_get_tip_certificate: " + tip_reply.error().message;
    return l;
  }
  auto tip_args = candid::decode(*tip_reply);
  if (!tip_args || tip_args->values.empty()) {
    l.chain_error = "icrc3_get_tip_certificate: undecodable reply";
    return l;
  }
  if (tip_args->values[0].items.empty()) {
    // No tip certificate: only an empty log is acceptable.
    l.chain_verified = true;
    l.chain_length = 0;
    return l;
  }
  const candid::Value& tc = tip_args->values[0].items[0];
  const candid::Value* cert = tc.field(std::string_view("certificate"));
  const candid::Value* htree = tc.field(std::string_view("hash_tree"));
  if (!cert || !htree) {
    l.chain_error = "icrc3_get_tip_certificate: no certificate/hash_tree";
    return l;
  }
  auto c = agent::Certificate::decode(cert->bytes);
  if (!c) {
    l.chain_error = "tip certificate: " + c.error().message;
    return l;
  }
  if (auto v = agent::verify_certificate(*c, src.verify_options(ledger)); !v) {
    l.chain_error = "tip certificate: " + v.error().message;
    return l;
  }
  auto cd = c->lookup(ic::make_path({"canister", id_label(ledger), "certified_data"}));
  if (!cd.found()) {
    l.chain_error = "tip certificate does not cover the ledger's certified_data";
    return l;
  }
  auto tip = icrc3::read_tip(htree->bytes, cd.value);
  if (!tip) {
    l.chain_error = tip.error().message;
    return l;
  }
  icrc3::ChainVerifier chain;
  uint64_t want = tip->last_block_index + 1;
  while (chain.length() < want) {
    uint64_t start = chain.length();
    uint64_t len = std::min<uint64_t>(100, want - start);
    auto arg = candid::text::parse_args("(vec { record { start = " + std::to_string(start) +
                                        " : nat; length = " + std::to_string(len) + " : nat } })");
    auto bytes = arg ? candid::encode(*arg) : ic::Result<ic::Bytes>(arg.error());
    if (!bytes) {
      l.chain_error = bytes.error().message;
      return l;
    }
    auto r = src.query(ledger, "icrc3_get_blocks", *bytes);
    auto a = r ? candid::decode(*r) : ic::Result<candid::Args>(r.error());
    if (!a || a->values.empty()) {
      l.chain_error = "icrc3_get_blocks: " + (a ? std::string("empty reply") : a.error().message);
      return l;
    }
    const candid::Value* blocks = a->values[0].field(std::string_view("blocks"));
    const candid::Value* archived = a->values[0].field(std::string_view("archived_blocks"));
    if (archived && !archived->items.empty()) {
      l.chain_error = "the ledger archives blocks; reading archives is not supported yet";
      return l;
    }
    if (!blocks || blocks->items.empty()) {
      l.chain_error = "icrc3_get_blocks returned no block at " + std::to_string(start) + " below the certified tip " +
                      std::to_string(tip->last_block_index);
      return l;
    }
    for (auto& b : blocks->items) {
      const candid::Value* id = b.field(std::string_view("id"));
      const candid::Value* blk = b.field(std::string_view("block"));
      if (!id || !blk) {
        l.chain_error = "icrc3_get_blocks: block without id/block";
        return l;
      }
      auto v = icrc3::from_candid(*blk);
      if (!v) {
        l.chain_error = "block " + id->number.to_decimal() + ": " + v.error().message;
        return l;
      }
      auto idx = id->number.magnitude().to_u64();
      if (!idx || *idx >= want) break;
      if (auto st = chain.add(*idx, *v); !st.ok()) {
        l.chain_error = st.error().message;
        return l;
      }
    }
  }
  if (chain.length() != want || !chain.last_hash() || *chain.last_hash() != tip->last_block_hash) {
    l.chain_error = "the block log does not end in the certified tip (block " + std::to_string(tip->last_block_index) +
                    ", hash " + ic::to_hex(tip->last_block_hash) + ")";
    return l;
  }
  l.chain_verified = true;
  l.chain_length = chain.length();
  l.minted = chain.minted();
  l.burned = chain.burned();
  return l;
}

ic::Result<audit::Observation> observe(const SourceFactory& make, const ic::Principal& hub, const ObserveOptions& opts) {
  IC_TRY(auto src, make());
  IC_TRY(HubState h, read_hub(*src, hub));
  audit::Observation o;
  o.time_ns = h.certified_time_ns;
  o.hub.id = hub;
  o.hub.global_stats = h.stats;
  o.hub.certified = true;
  o.hub.constants = h.constants;
  if (auto it = h.constants.find("auto_scale_interval"); it != h.constants.end()) {
    ic::BigNat ns = it->second;
    ns.mul_small(1'000'000'000u);
    o.hub.constants["auto_scale_interval_ns"] = ns;
  }
  o.hub.embedded_wasm_sha256 = h.wasm_sha256;
  o.hub.last_ensure_capacity_time_ns = h.last_ensure_time_ns;
  o.hub.facts = read_canister_facts(*src, hub);
  o.bundled_user_profile_sha256 = opts.bundled_user_profile_sha256;

  auto rows = read_shard_list(*src, hub);
  if (!rows) {
    o.shards_complete = false;
  } else {
    ShardReadOptions so;
    so.concurrency = opts.concurrency;
    so.balances = true;
    so.facts = true;
    IC_CHECK(read_shards(make, *rows, so));
    for (auto& r : *rows) {
      audit::ShardObservation s;
      s.id = r.id;
      s.index = r.index;
      s.status = r.status;
      s.hub_info = r.info;
      s.stats = r.stats;
      s.stats_certified = r.stats.has_value();
      s.balances_sum = r.balances_sum;
      s.balances_count = r.balances_count;
      s.facts = r.facts;
      s.error = r.error;
      o.shards.push_back(std::move(s));
    }
  }
  std::set<ic::Principal> content;
  for (auto& [_, c] : h.content) content.insert(c);
  if (!content.empty()) o.content = read_canister_facts(*src, *content.begin());
  o.ledger = read_ledger(*src, h.ledger);
  return o;
}

}  // namespace hub
