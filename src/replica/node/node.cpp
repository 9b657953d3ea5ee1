// replica::Node: keys, the round thread (execute → certify → commit → publish), persistence and restore,
// and the public API the HTTP layer uses (node.h). Execution: execution.cpp; aaaaa-aa: management.cpp.
#include "replica/node/node.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "ic/cbor.h"
#include "ic/leb128.h"
#include "replica/node/codec.h"
#include "replica/node/internal.h"

namespace replica {
namespace {

namespace fs = std::filesystem;
using ic::cbor::Value;

std::string hex(const Principal& p) { return ic::to_hex(p.view()); }
std::string cmeta(const Principal& p) { return "c/" + hex(p) + "/meta"; }
std::string cwasm(const Principal& p) { return "c/" + hex(p) + "/wasm"; }
std::string cchunks(const Principal& p) { return "c/" + hex(p) + "/chunks"; }
std::string cglobals(const Principal& p) { return "c/" + hex(p) + "/globals"; }
std::string cheap(const Principal& p) { return "c/" + hex(p) + "/heap"; }
std::string cstable(const Principal& p) { return "c/" + hex(p) + "/stable"; }
std::string ikey(const ic::Hash256& rid) { return "i/" + ic::to_hex(rid); }
std::string rid_key(const ic::Hash256& rid) { return std::string(rid.begin(), rid.end()); }

Bytes leb(uint64_t v) {
  Bytes b;
  ic::write_uleb(b, v);
  return b;
}
ic::Bytes label(std::string_view s) { return ic::to_bytes(s); }
bool terminal(const std::string& s) { return s == "replied" || s == "rejected" || s == "done"; }

ic::Status write_file_durably(const fs::path& path, ic::ByteView data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return ic::make_error(ic::Errc::io, "cannot create " + tmp.string());
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return ic::make_error(ic::Errc::io, "cannot write " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return ic::make_error(ic::Errc::io, "cannot rename " + tmp.string() + ": " + ec.message());
  int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

exec::Image image_from(const store::Contents& c, const Principal& id) {
  exec::Image img;
  if (auto it = c.memories.find(cheap(id)); it != c.memories.end()) {
    img.heap_bytes = it->second.size_bytes;
    img.heap_pages = it->second.pages;
  }
  if (auto it = c.memories.find(cstable(id)); it != c.memories.end()) {
    img.stable_bytes = it->second.size_bytes;
    img.stable_pages = it->second.pages;
  }
  if (auto it = c.blobs.find(cglobals(id)); it != c.blobs.end()) img.globals = codec::decode_globals(it->second);
  return img;
}

}  // namespace

// ---------------------------------------------------------------- keys and restore

uint64_t Node::Impl::clock() const {
  if (cfg.clock) return cfg.clock();
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

ic::Status Node::Impl::init_keys() {
  // The node's secrets: one 32-byte seed in state_dir/node.seed, created once; both keys derive from it.
  fs::path p = cfg.state_dir / "node.seed";
  std::ifstream in(p, std::ios::binary);
  if (in) {
    seed.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (seed.size() != 32) return ic::make_error(ic::Errc::invalid_input, p.string() + " is not a 32-byte seed", "delete the state directory to start a new network");
  } else {
    seed.resize(32);
    std::ifstream ur("/dev/urandom", std::ios::binary);
    if (!ur.read(reinterpret_cast<char*>(seed.data()), 32)) return ic::make_error(ic::Errc::io, "cannot read /dev/urandom");
    IC_CHECK(write_file_durably(p, seed));
  }
  IC_TRY(bls::SecretKey sk, bls::SecretKey::generate(seed, ic::as_view("hubctl local network: BLS subnet key")));
  bls_sk = sk;
  root_der = bls::public_key(sk).to_der();
  subnet = Principal::self_authenticating(root_der);
  ic::Sha256 h;
  h.update(seed);
  h.update("hubctl local network: node Ed25519 key");
  ic::Hash256 ed_seed = h.finish();
  IC_TRY(auto nk, ic::crypto::PrivateKey::ed25519_from_seed(ed_seed));
  node_key = nk;
  node_der = nk.public_key_der();
  node_id = Principal::self_authenticating(node_der);
  return {};
}

ic::Status Node::Impl::load_state() {
  IC_TRY(store::Contents contents, persistence->load());
  if (auto it = contents.blobs.find("node/meta"); it != contents.blobs.end()) {
    IC_TRY(Value v, ic::cbor::decode(it->second));
    next_index = v.get("next_index") ? v.get("next_index")->as_uint().value_or(0) : 0;
    rand_counter = v.get("rand") ? v.get("rand")->as_uint().value_or(0) : 0;
    round_time = v.get("time") ? v.get("time")->as_uint().value_or(0) : 0;
    height = v.get("height") ? v.get("height")->as_uint().value_or(0) : 0;
    if (const Value* r = v.get("retired"); r && r->as_array())
      for (const auto& e : *r->as_array()) retired.insert(e.as_uint().value_or(0));
  }
  for (const auto& [key, blob] : contents.blobs) {
    if (key.rfind("c/", 0) == 0 && key.size() > 5 && key.compare(key.size() - 5, 5, "/meta") == 0) {
      Canister c;
      if (auto st = codec::decode_canister(blob, c); !st) return std::move(st).take_error().context("canister record " + key);
      if (auto w = contents.blobs.find(cwasm(c.id)); w != contents.blobs.end() && !w->second.empty()) {
        auto m = compile(w->second);
        if (!m) return std::move(m).take_error().context("module of canister " + c.id.to_text());
        auto inst = rt->restore(*m, image_from(contents, c.id));
        if (!inst) return std::move(inst).take_error().context("memory of canister " + c.id.to_text());
        c.module = *m;
        c.wasm = w->second;
        c.instance = std::move(inst).value();
        (void)c.instance->take_changes();
        c.saved_globals = contents.blobs.count(cglobals(c.id)) ? contents.blobs[cglobals(c.id)] : Bytes{};
      }
      if (auto ch = contents.blobs.find(cchunks(c.id)); ch != contents.blobs.end()) c.chunks = codec::decode_chunks(ch->second);
      c.queue_on_disk = !c.queue.empty();
      c.meta_dirty = true;  // for the first tree; flags are cleared after the initial publish
      Principal id = c.id;
      canisters.emplace(id, std::move(c));
    } else if (key.rfind("i/", 0) == 0) {
      auto rid = ic::from_hex(key.substr(2));
      auto e = codec::decode_ingress(blob);
      if (rid && rid->size() == 32 && e) {
        ic::Hash256 h;
        std::copy(rid->begin(), rid->end(), h.begin());
        e->dirty = true;
        ingress[h] = std::move(e).value();
      }
    }
  }
  if (auto it = contents.blobs.find("node/inflight"); it != contents.blobs.end()) {
    IC_CHECK(codec::decode_inflight(it->second, contexts, callbacks, mgmt_queue));
    for (const auto& [id, c] : contexts) next_context = std::max(next_context, id + 1);
    for (const auto& [id, c] : callbacks) next_callback = std::max(next_callback, id + 1);
  }
  more_work = has_queued();
  return {};
}

// ---------------------------------------------------------------- rounds

void Node::Impl::round_loop() {
  std::unique_lock lk(mu);
  while (!stopping) {
    bool work = !pending.empty() || !admin_queue.empty() || more_work;
    if (!work) {
      cv_work.wait_until(lk, last_round + cfg.idle_round_interval,
                         [&] { return stopping || !pending.empty() || !admin_queue.empty(); });
      if (stopping) break;
    }
    auto earliest = last_round + cfg.min_round_interval;
    if (std::chrono::steady_clock::now() < earliest) {
      cv_work.wait_until(lk, earliest, [&] { return stopping; });
      if (stopping) break;
    }
    lk.unlock();
    run_round();
    lk.lock();
    last_round = std::chrono::steady_clock::now();
  }
}

void Node::Impl::run_round() {
  std::lock_guard g(exec_mu);
  std::deque<IngressMessage> batch;
  {
    std::lock_guard lk(mu);
    // Induct at most 2,000 messages per round (like a block); the rest waits for the next round.
    size_t n = std::min<size_t>(pending.size(), 2000);
    for (size_t i = 0; i < n; ++i) {
      pending_ids.erase(pending.front().request_id);
      batch.push_back(std::move(pending.front()));
      pending.pop_front();
    }
    admin_running = std::move(admin_queue);
    admin_queue.clear();
  }
  round_time = std::max(round_time + 1, clock());
  round_instructions = 0;
  for (auto& op : admin_running) op->result = op->fn();
  charge_storage();
  run_system_tasks();
  for (auto& m : batch) {
    if (ingress.count(m.request_id)) continue;  // already known: never executed twice
    induct(std::move(m));
  }
  more_work = schedule();
  expire_ingress();
  Changed changed = update_tree();
  auto st = commit_round();
  if (!st) {
    // Nothing is published: the round's effects stay dirty and are retried by the next commit.
    more_work = true;
    return;
  }
  ++height;
  publish(changed);
}

void Node::Impl::expire_ingress() {
  uint64_t ttl = cfg.limits.ingress_ttl_ns;
  for (auto it = ingress.begin(); it != ingress.end();) {
    IngressEntry& e = it->second;
    if (round_time > e.expiry + ttl && terminal(e.status)) {
      ingress_dropped.push_back(it->first);
      it = ingress.erase(it);
      continue;
    }
    if (round_time > e.expiry && (e.status == "replied" || e.status == "rejected")) {
      // Spec §4.5: after the expiry the reply is no longer kept, only the fact that it was answered.
      e.status = "done";
      e.reply.clear();
      e.reject = {};
      e.dirty = true;
    }
    ++it;
  }
}

Node::Impl::Changed Node::Impl::update_tree() {
  Changed ch;
  auto sid = subnet.bytes();
  tree.set({label("time")}, leb(round_time));
  Value ranges = Value::array();
  for (const auto& [a, b] : std::vector<std::pair<Principal, Principal>>{
           {Principal::from_canister_index(kFirstIndex), Principal::from_canister_index(kLastIndex)}})
    ranges.push(Value::array({Value::bytes(a.view()), Value::bytes(b.view())}));
  Bytes ranges_cbor = ic::cbor::encode_self_describe(ranges);
  tree.set({label("subnet"), sid, label("public_key")}, root_der);
  tree.set({label("subnet"), sid, label("type")}, label("application"));
  tree.set({label("subnet"), sid, label("canister_ranges")}, ranges_cbor);
  tree.set({label("subnet"), sid, label("node"), node_id.bytes(), label("public_key")}, node_der);
  tree.set({label("canister_ranges"), sid, Principal::from_canister_index(kFirstIndex).bytes()}, ranges_cbor);

  for (const auto& id : deleted) {
    tree.erase({label("canister"), id.bytes()});
    ch.canisters.push_back(id);
  }
  for (auto& [id, c] : canisters) {
    if (!c.meta_dirty && !c.wasm_dirty) continue;
    ch.canisters.push_back(id);
    ic::Path base{label("canister"), id.bytes()};
    auto at = [&](std::string_view leaf) {
      ic::Path p = base;
      p.push_back(label(leaf));
      return p;
    };
    Value ctrls = Value::array();
    for (const auto& p : c.settings.controllers) ctrls.push(Value::bytes(p.view()));
    tree.set(at("controllers"), ic::cbor::encode_self_describe(ctrls));
    tree.set(at("certified_data"), c.certified_data);
    tree.set(at("canister_creation_timestamp"), leb(c.created_ns));
    if (c.wasm_dirty) tree.erase(at("metadata"));
    if (c.module) {
      tree.set(at("module_hash"), Bytes(c.module->hash.begin(), c.module->hash.end()));
      tree.set(at("last_install_timestamp"), leb(c.installed_ns));
      if (c.wasm_dirty) {
        for (const auto* md : {&c.module->private_metadata, &c.module->public_metadata})
          for (const auto& [name, content] : *md) {
            ic::Path p = at("metadata");
            p.push_back(label(name));
            tree.set(p, content);
          }
      }
    } else {
      tree.erase(at("module_hash"));
      tree.erase(at("last_install_timestamp"));
    }
  }
  for (const auto& rid : ingress_dropped) {
    tree.erase({label("request_status"), Bytes(rid.begin(), rid.end())});
    ch.ingress.push_back(rid);
  }
  for (auto& [rid, e] : ingress) {
    if (!e.dirty) continue;
    ch.ingress.push_back(rid);
    ic::Path base{label("request_status"), Bytes(rid.begin(), rid.end())};
    tree.erase(base);
    auto at = [&](std::string_view leaf) {
      ic::Path p = base;
      p.push_back(label(leaf));
      return p;
    };
    tree.set(at("status"), label(e.status));
    if (e.status == "replied") tree.set(at("reply"), e.reply);
    if (e.status == "rejected") {
      tree.set(at("reject_code"), leb(e.reject.code));
      tree.set(at("reject_message"), label(e.reject.message));
      if (!e.reject.error_code.empty()) tree.set(at("error_code"), label(e.reject.error_code));
    }
  }
  return ch;
}

ic::Status Node::Impl::commit_round() {
  store::Batch b;
  if (meta_dirty) {
    Value r = Value::array();
    for (uint64_t x : retired) r.push(Value::uint(x));
    b.put["node/meta"] = ic::cbor::encode(Value::text_map({{"next_index", Value::uint(next_index)},
                                                             {"rand", Value::uint(rand_counter)},
                                                             {"time", Value::uint(round_time)},
                                                             {"height", Value::uint(height + 1)},
                                                             {"retired", r}}));
  }
  for (const auto& id : deleted) {
    for (auto k : {cmeta(id), cwasm(id), cchunks(id), cglobals(id)}) b.erase.push_back(k);
    b.drop_memories.push_back(cheap(id));
    b.drop_memories.push_back(cstable(id));
  }
  std::vector<std::pair<Canister*, Bytes>> new_globals;
  for (auto& [id, c] : canisters) {
    bool queued = !c.queue.empty();
    if (c.meta_dirty || queued || c.queue_on_disk) b.put[cmeta(id)] = codec::encode_canister(c);
    if (c.wasm_dirty) {
      if (c.wasm.empty()) b.erase.push_back(cwasm(id));
      else b.put[cwasm(id)] = c.wasm;
    }
    if (c.chunks_dirty) b.put[cchunks(id)] = codec::encode_chunks(c.chunks);
    if (!c.instance) {
      if (c.memory_replaced) {
        b.drop_memories.push_back(cheap(id));
        b.drop_memories.push_back(cstable(id));
        b.erase.push_back(cglobals(id));
      }
      continue;
    }
    exec::Changes changes = c.instance->take_changes();
    if (c.memory_replaced) {
      // A new instance (install, upgrade, restore after a failed upgrade): write it whole.
      exec::Image img = c.instance->image();
      b.drop_memories.push_back(cheap(id));
      b.drop_memories.push_back(cstable(id));
      b.memories[cheap(id)] = store::Batch::MemoryWrite{img.heap_bytes, std::move(img.heap_pages)};
      b.memories[cstable(id)] = store::Batch::MemoryWrite{img.stable_bytes, std::move(img.stable_pages)};
      changes.globals = img.globals;
    } else if (!changes.heap_pages.empty() || !changes.stable_pages.empty() || true) {
      if (!changes.heap_pages.empty() || changes.heap_bytes != 0)
        b.memories[cheap(id)] = store::Batch::MemoryWrite{changes.heap_bytes, std::move(changes.heap_pages)};
      if (!changes.stable_pages.empty() || changes.stable_bytes != 0)
        b.memories[cstable(id)] = store::Batch::MemoryWrite{changes.stable_bytes, std::move(changes.stable_pages)};
    }
    Bytes g = codec::encode_globals(changes.globals);
    if (g != c.saved_globals) {
      b.put[cglobals(id)] = g;
      new_globals.push_back({&c, std::move(g)});
    }
  }
  // Unchanged memories need no write: drop the no-op entries (size unchanged, no pages).
  for (auto it = b.memories.begin(); it != b.memories.end();) {
    bool dropped = std::find(b.drop_memories.begin(), b.drop_memories.end(), it->first) != b.drop_memories.end();
    if (!dropped && it->second.pages.empty()) {
      // size-only writes are kept only when the size may have changed; cheap to keep, so keep them.
    }
    ++it;
  }
  for (const auto& rid : ingress_dropped) b.erase.push_back(ikey(rid));
  for (auto& [rid, e] : ingress)
    if (e.dirty) b.put[ikey(rid)] = codec::encode_ingress(e);
  if (inflight_dirty) {
    if (contexts.empty() && callbacks.empty() && mgmt_queue.empty()) b.erase.push_back("node/inflight");
    else b.put["node/inflight"] = codec::encode_inflight(contexts, callbacks, mgmt_queue);
  }
  if (!b.empty()) IC_CHECK(persistence->commit(b));
  // Durable: clear the round's flags.
  for (auto& [c, g] : new_globals) c->saved_globals = std::move(g);
  for (auto& [id, c] : canisters) {
    c.queue_on_disk = !c.queue.empty();
    c.meta_dirty = c.wasm_dirty = c.chunks_dirty = c.memory_replaced = false;
  }
  deleted.clear();
  ingress_dropped.clear();
  for (auto& [rid, e] : ingress) e.dirty = false;
  meta_dirty = inflight_dirty = false;
  return {};
}

void Node::Impl::publish(const Changed& changed) {
  auto p = std::make_shared<Published>();
  p->tree = tree.snapshot();
  p->time = round_time;
  p->height = height;
  Bytes msg{0x0D};
  for (char ch : std::string_view("ic-state-root")) msg.push_back(static_cast<uint8_t>(ch));
  msg.insert(msg.end(), p->tree->hash.begin(), p->tree->hash.end());
  p->signature = bls::sign(*bls_sk, msg);
  std::lock_guard lk(mu);
  published = p;
  for (const auto& rid : changed.ingress) {
    auto it = ingress.find(rid);
    if (it == ingress.end()) {
      known.erase(rid_key(rid));
      continue;
    }
    KnownRequest k;
    k.origin = RequestOrigin{it->second.sender, it->second.effective_canister_id};
    k.terminal = terminal(it->second.status);
    k.expiry = it->second.expiry;
    known[rid_key(rid)] = k;
  }
  for (const auto& id : changed.canisters) {
    auto it = canisters.find(id);
    if (it == canisters.end()) {
      published_canisters.erase(id);
      published_controllers.erase(id);
      published_private_metadata.erase(id);
      continue;
    }
    published_canisters.insert(id);
    published_controllers[id] = it->second.settings.controllers;
    auto& priv = published_private_metadata[id];
    priv.clear();
    if (it->second.module)
      for (const auto& [name, content] : it->second.module->private_metadata) priv.insert(name);
  }
  for (auto& op : admin_running) op->done = true;
  admin_running.clear();
  cv_done.notify_all();
}

Bytes Node::Impl::certificate(const Published& p, std::vector<ic::Path> paths) const {
  paths.push_back({label("time")});
  ic::HashTree t = p.tree->witness(paths);
  Value cert = Value::text_map({{"tree", t.to_cbor()}, {"signature", Value::bytes(ic::ByteView(p.signature))}});
  return ic::cbor::encode_self_describe(cert);
}

Bytes Node::Impl::data_certificate(const Principal& canister) {
  std::shared_ptr<const Published> p;
  {
    std::lock_guard lk(mu);
    p = published;
  }
  if (!p) return {};
  auto& slot = data_cert_cache[canister];
  if (slot.first == p->height && !slot.second.empty()) return slot.second;
  slot = {p->height, certificate(*p, {{label("canister"), canister.bytes(), label("certified_data")}})};
  return slot.second;
}

// ---------------------------------------------------------------- Node

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Node::~Node() { shutdown(); }

void Node::shutdown() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv_work.notify_all();
  impl_->cv_done.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

ic::Result<std::unique_ptr<Node>> Node::open(const NodeConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = config;
  impl->rt = config.runtime ? config.runtime : exec_runtime();
  if (!impl->rt)
    return ic::make_error(ic::Errc::unsupported, "this hubctl was built without the wasm engine (replica_exec)",
                          "rebuild with the replica's exec part");
  if (config.state_dir.empty()) return ic::make_error(ic::Errc::invalid_input, "the local network needs a state directory");
  std::error_code ec;
  fs::create_directories(config.state_dir, ec);
  if (ec) return ic::make_error(ic::Errc::io, "cannot create state directory " + config.state_dir.string() + ": " + ec.message());
  IC_CHECK(impl->init_keys());
  IC_TRY(impl->persistence, open_persistence(config.state_dir / "store", config.fsync));
  IC_CHECK(impl->load_state());
  // The initial certified state (what the last committed round certified, at the current time).
  impl->round_time = std::max(impl->round_time, impl->clock());
  Impl::Changed ch = impl->update_tree();
  for (auto& [id, c] : impl->canisters) {
    c.meta_dirty = c.wasm_dirty = c.chunks_dirty = c.memory_replaced = false;
  }
  for (auto& [rid, e] : impl->ingress) e.dirty = false;
  impl->meta_dirty = impl->inflight_dirty = false;
  impl->publish(ch);
  Impl* raw = impl.get();
  std::unique_ptr<Node> node(new Node(std::move(impl)));
  raw->last_round = std::chrono::steady_clock::now();
  raw->thread = std::thread([raw] { raw->round_loop(); });
  return node;
}

const ic::Bytes& Node::root_key_der() const { return impl_->root_der; }
const ic::Principal& Node::subnet_id() const { return impl_->subnet; }
const ic::Principal& Node::node_id() const { return impl_->node_id; }
const ic::Bytes& Node::node_public_key_der() const { return impl_->node_der; }

ic::Bytes Node::sign_as_node(ic::ByteView message) const {
  auto s = impl_->node_key->sign(message);
  return s ? std::move(s).value() : ic::Bytes{};
}

std::vector<std::pair<ic::Principal, ic::Principal>> Node::canister_ranges() const {
  return {{Principal::from_canister_index(kFirstIndex), Principal::from_canister_index(kLastIndex)}};
}

NodeStatus Node::status() const {
  NodeStatus s;
  std::lock_guard lk(impl_->mu);
  s.certified_height = impl_->published ? impl_->published->height : 0;
  s.impl_version = "hubctl-local-0.1";
  return s;
}

uint64_t Node::now_ns() const { return impl_->clock(); }

std::optional<Reject> Node::check_call(const IngressMessage& msg) {
  Impl& m = *impl_;
  std::lock_guard g(m.exec_mu);
  if (msg.arg.size() > m.cfg.limits.max_ingress_bytes)
    return make_reject(4, "Ingress message payload of " + std::to_string(msg.arg.size()) + " bytes exceeds the limit of " +
                              std::to_string(m.cfg.limits.max_ingress_bytes) + " bytes", "IC0406");
  if (msg.canister_id.is_management()) return m.check_management_ingress(msg);
  auto it = m.canisters.find(msg.canister_id);
  if (it == m.canisters.end()) return make_reject(3, "Canister " + msg.canister_id.to_text() + " not found", "IC0301");
  Canister& c = it->second;
  std::string cid = c.id.to_text();
  if (c.status == CanisterStatus::Stopped) return make_reject(5, "Canister " + cid + " is stopped", "IC0508");
  if (c.status == CanisterStatus::Stopping) return make_reject(5, "Canister " + cid + " is stopping", "IC0509");
  if (!c.module || !c.instance)
    return make_reject(5, "Error from Canister " + cid + ": Attempted to execute a message, but the canister contains no Wasm module.", "IC0537");
  if (!c.module->update_methods.count(msg.method) && !c.module->query_methods.count(msg.method))
    return make_reject(5, "Error from Canister " + cid + ": Canister has no update method '" + msg.method + "'.", "IC0536");
  if (auto f = m.check_frozen(c, fees::ingress(msg.method.size() + msg.arg.size()) + fees::execution(m.cfg.limits.update_instructions)))
    return f;
  if (c.module->exports("canister_inspect_message")) {
    exec::Invocation inv = m.base_invocation(c, exec::EntryKind::InspectMessage);
    inv.time_ns = std::max(m.round_time, m.clock());
    inv.method = msg.method;
    inv.arg = msg.arg;
    inv.caller = msg.sender;
    inv.instruction_limit = m.cfg.limits.inspect_instructions;
    exec::ExecResult r = c.instance->execute(inv);
    if (!r.ok()) return m.exec_reject(c, r);
    if (!r.message_accepted)
      return make_reject(4, "Error from Canister " + cid + ": Canister rejected the message", "IC0406");
  }
  return std::nullopt;
}

ic::Status Node::submit(IngressMessage msg) {
  Impl& m = *impl_;
  std::lock_guard lk(m.mu);
  if (m.known.count(rid_key(msg.request_id)) || m.pending_ids.count(msg.request_id)) return {};
  if (m.pending.size() >= 20000)
    return ic::make_error(ic::Errc::limit, "the local network's ingress queue is full (20000 messages)", "retry later");
  m.pending_ids.insert(msg.request_id);
  m.pending.push_back(std::move(msg));
  m.cv_work.notify_one();
  return {};
}

std::optional<ic::Bytes> Node::await_certificate(const ic::Hash256& request_id, std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  std::unique_lock lk(m.mu);
  std::string key = rid_key(request_id);
  bool ok = m.cv_done.wait_for(lk, timeout, [&] {
    if (m.stopping) return true;
    auto it = m.known.find(key);
    return it != m.known.end() && it->second.terminal;
  });
  auto it = m.known.find(key);
  if (!ok || it == m.known.end() || !it->second.terminal) return std::nullopt;
  auto p = m.published;
  lk.unlock();
  return m.certificate(*p, {{label("request_status"), Bytes(request_id.begin(), request_id.end())}});
}

std::optional<Node::RequestOrigin> Node::request_origin(const ic::Hash256& request_id) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->known.find(rid_key(request_id));
  if (it == impl_->known.end()) return std::nullopt;
  return it->second.origin;
}

QueryReply Node::query(const ic::Principal& sender, const ic::Principal& canister_id, const std::string& method,
                       ic::ByteView arg) {
  Impl& m = *impl_;
  std::lock_guard g(m.exec_mu);
  if (canister_id.is_management()) return m.management_query(sender, method, arg);
  QueryReply q;
  auto it = m.canisters.find(canister_id);
  if (it == m.canisters.end()) {
    q.reject = make_reject(3, "Canister " + canister_id.to_text() + " not found", "IC0301");
    return q;
  }
  Canister& c = it->second;
  std::string cid = c.id.to_text();
  if (c.status == CanisterStatus::Stopped) {
    q.reject = make_reject(5, "Canister " + cid + " is stopped", "IC0508");
    return q;
  }
  if (!c.module || !c.instance) {
    q.reject = make_reject(5, "Error from Canister " + cid + ": Attempted to execute a message, but the canister contains no Wasm module.", "IC0537");
    return q;
  }
  exec::EntryKind kind;
  if (c.module->query_methods.count(method)) kind = exec::EntryKind::NonReplicatedQuery;
  else if (c.module->composite_query_methods.count(method)) kind = exec::EntryKind::CompositeQuery;
  else {
    q.reject = make_reject(5, "Error from Canister " + cid + ": Canister has no query method '" + method + "'.", "IC0536");
    return q;
  }
  exec::Invocation inv = m.base_invocation(c, kind);
  {
    std::lock_guard lk(m.mu);
    if (m.published) inv.time_ns = m.published->time;
  }
  inv.method = method;
  inv.arg.assign(arg.begin(), arg.end());
  inv.caller = sender;
  inv.instruction_limit = m.cfg.limits.query_instructions;
  inv.max_reply_bytes = m.cfg.limits.max_query_response_bytes;
  inv.data_certificate = m.data_certificate(c.id);
  exec::ExecResult r = c.instance->execute(inv);
  q.instructions = r.instructions;
  if (!r.ok()) q.reject = m.exec_reject(c, r);
  else if (r.reply) {
    q.replied = true;
    q.reply = std::move(*r.reply);
  } else if (r.reject) {
    q.reject = make_reject(4, "Error from Canister " + cid + ": " + *r.reject, "IC0406");
  } else {
    q.reject = make_reject(5, "Error from Canister " + cid + ": Canister did not reply to the call", "IC0506");
  }
  return q;
}

ic::Result<ic::Bytes> Node::certify_paths(const std::vector<ic::Path>& paths) {
  std::shared_ptr<const Published> p;
  {
    std::lock_guard lk(impl_->mu);
    p = impl_->published;
  }
  if (!p) return ic::make_error(ic::Errc::unsupported, "no certified state yet", "retry in a moment");
  return impl_->certificate(*p, paths);
}

bool Node::canister_exists(const ic::Principal& id) const {
  std::lock_guard lk(impl_->mu);
  return impl_->published_canisters.count(id) != 0;
}

std::optional<std::vector<ic::Principal>> Node::controllers(const ic::Principal& id) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->published_controllers.find(id);
  if (it == impl_->published_controllers.end()) return std::nullopt;
  return it->second;
}

bool Node::is_private_metadata(const ic::Principal& id, const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->published_private_metadata.find(id);
  return it != impl_->published_private_metadata.end() && it->second.count(name) != 0;
}

ic::Status Node::set_controllers(const ic::Principal& canister, const std::vector<ic::Principal>& controllers) {
  Impl& m = *impl_;
  if (!m.cfg.test_admin)
    return ic::make_error(ic::Errc::unsupported, "set-controllers needs a local network started with --test-admin");
  if (controllers.size() > 10) return ic::make_error(ic::Errc::invalid_input, "at most 10 controllers are allowed");
  auto op = std::make_shared<Impl::AdminOp>();
  op->fn = [&m, canister, controllers]() -> ic::Status {
    auto it = m.canisters.find(canister);
    if (it == m.canisters.end())
      return ic::make_error(ic::Errc::not_found, "canister " + canister.to_text() + " does not exist on the local network");
    it->second.settings.controllers = controllers;
    ++it->second.version;
    it->second.meta_dirty = true;
    return {};
  };
  std::unique_lock lk(m.mu);
  m.admin_queue.push_back(op);
  m.cv_work.notify_one();
  m.cv_done.wait(lk, [&] { return op->done || m.stopping; });
  if (!op->done) return ic::make_error(ic::Errc::unsupported, "the local network stopped before the change was committed");
  return op->result;
}

}  // namespace replica
