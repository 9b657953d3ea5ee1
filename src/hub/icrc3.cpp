// ICRC-3 values, block parsing and chain verification for hubctl's audit (invariant I4 of SPEC.md).
#include "hub/icrc3.h"

#include <algorithm>

#include "candid/types.h"
#include "ic/cbor.h"
#include "ic/leb128.h"
#include "ic/request_id.h"

namespace hub::icrc3 {

using ic::Errc;
using ic::make_error;

Value Value::of_blob(ic::Bytes b) {
  Value v;
  v.kind = Kind::Blob;
  v.blob = std::move(b);
  return v;
}
Value Value::of_text(std::string t) {
  Value v;
  v.kind = Kind::Text;
  v.text = std::move(t);
  return v;
}
Value Value::of_nat(ic::BigNat n) {
  Value v;
  v.kind = Kind::Nat;
  v.number = ic::BigInt(std::move(n), false);
  return v;
}
Value Value::of_int(ic::BigInt n) {
  Value v;
  v.kind = Kind::Int;
  v.number = std::move(n);
  return v;
}
Value Value::of_array(std::vector<Value> items) {
  Value v;
  v.kind = Kind::Array;
  v.array = std::move(items);
  return v;
}
Value Value::of_map(std::vector<std::pair<std::string, Value>> entries) {
  Value v;
  v.kind = Kind::Map;
  v.map = std::move(entries);
  return v;
}

const Value* Value::get(std::string_view key) const {
  if (kind != Kind::Map) return nullptr;
  for (auto& [k, v] : map)
    if (k == key) return &v;
  return nullptr;
}

ic::Hash256 hash(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blob: return ic::ri_hash_blob(v.blob);
    case Value::Kind::Text: return ic::ri_hash_text(v.text);
    case Value::Kind::Nat: return ic::ri_hash_nat(v.number.magnitude());
    case Value::Kind::Int: return ic::ri_hash_int(v.number);
    case Value::Kind::Array: {
      std::vector<ic::Hash256> hs;
      hs.reserve(v.array.size());
      for (auto& e : v.array) hs.push_back(hash(e));
      return ic::ri_hash_array(hs);
    }
    case Value::Kind::Map: {
      std::vector<std::pair<std::string, ic::Hash256>> fs;
      fs.reserve(v.map.size());
      for (auto& [k, e] : v.map) fs.emplace_back(k, hash(e));
      return ic::ri_hash_map(fs);
    }
  }
  return {};
}

namespace {

ic::Result<Value> convert(const candid::Value& v, size_t depth) {
  if (depth == 0) return make_error(Errc::limit, "ICRC-3 value nested too deeply");
  if (v.kind != candid::Op::Variant || v.fields.size() != 1)
    return make_error(Errc::type_mismatch, "ICRC-3 value is not a Value variant");
  const auto& f = v.fields[0];
  const candid::Value& x = f.value;
  if (f.id == candid::field_hash("Blob")) {
    if (x.kind != candid::Op::Vec) return make_error(Errc::type_mismatch, "ICRC-3 Blob is not a blob");
    return Value::of_blob(x.bytes);
  }
  if (f.id == candid::field_hash("Text")) {
    if (x.kind != candid::Op::Text) return make_error(Errc::type_mismatch, "ICRC-3 Text is not text");
    return Value::of_text(x.text);
  }
  if (f.id == candid::field_hash("Nat")) {
    if (x.kind != candid::Op::Nat && x.kind != candid::Op::Int)
      return make_error(Errc::type_mismatch, "ICRC-3 Nat is not a nat");
    if (x.number.negative()) return make_error(Errc::type_mismatch, "ICRC-3 Nat is negative");
    return Value::of_nat(x.number.magnitude());
  }
  if (f.id == candid::field_hash("Int")) {
    if (x.kind != candid::Op::Int && x.kind != candid::Op::Nat)
      return make_error(Errc::type_mismatch, "ICRC-3 Int is not an int");
    return Value::of_int(x.number);
  }
  if (f.id == candid::field_hash("Array")) {
    if (x.kind != candid::Op::Vec) return make_error(Errc::type_mismatch, "ICRC-3 Array is not a vec");
    std::vector<Value> items;
    items.reserve(x.items.size());
    for (auto& e : x.items) {
      IC_TRY(Value item, convert(e, depth - 1));
      items.push_back(std::move(item));
    }
    return Value::of_array(std::move(items));
  }
  if (f.id == candid::field_hash("Map")) {
    if (x.kind != candid::Op::Vec) return make_error(Errc::type_mismatch, "ICRC-3 Map is not a vec");
    std::vector<std::pair<std::string, Value>> entries;
    for (auto& e : x.items) {
      // record { text; Value }: tuple fields 0 and 1.
      const candid::Value* key = e.field(uint32_t{0});
      const candid::Value* val = e.field(uint32_t{1});
      if (!key || !val || key->kind != candid::Op::Text)
        return make_error(Errc::type_mismatch, "ICRC-3 Map entry is not record { text; Value }");
      for (auto& [k, _] : entries)
        if (k == key->text) return make_error(Errc::decode, "ICRC-3 Map has the key \"" + k + "\" twice");
      IC_TRY(Value item, convert(*val, depth - 1));
      entries.emplace_back(key->text, std::move(item));
    }
    return Value::of_map(std::move(entries));
  }
  return make_error(Errc::type_mismatch, "ICRC-3 value has an unknown variant tag");
}

ic::Result<ic::BigNat> nat_field(const Value& m, std::string_view key, const char* where) {
  const Value* v = m.get(key);
  if (!v || v->kind != Value::Kind::Nat)
    return make_error(Errc::decode, std::string(where) + " has no Nat field `" + std::string(key) + "`");
  return v->number.magnitude();
}

// An ICRC-1 account in a block: Array [Blob owner] or [Blob owner, Blob subaccount].
ic::Result<ic::Bytes> account_owner(const Value& v, const char* which) {
  if (v.kind != Value::Kind::Array || v.array.empty() || v.array.size() > 2 ||
      v.array[0].kind != Value::Kind::Blob || v.array[0].blob.size() > 29)
    return make_error(Errc::decode, std::string("block field tx.") + which + " is not an account");
  return v.array[0].blob;
}

}  // namespace

ic::Result<Value> from_candid(const candid::Value& v, size_t max_depth) { return convert(v, max_depth); }

const char* block_kind_name(Block::Kind k) {
  switch (k) {
    case Block::Kind::Mint: return "mint";
    case Block::Kind::Burn: return "burn";
    case Block::Kind::Transfer: return "transfer";
    case Block::Kind::Approve: return "approve";
    case Block::Kind::Other: return "other";
  }
  return "?";
}

ic::Result<Block> parse_block(const Value& b) {
  if (b.kind != Value::Kind::Map) return make_error(Errc::decode, "block is not a Map");
  Block out;
  if (const Value* ph = b.get("phash")) {
    if (ph->kind != Value::Kind::Blob || ph->blob.size() != 32)
      return make_error(Errc::decode, "block field phash is not a 32-byte Blob");
    ic::Hash256 h;
    std::copy(ph->blob.begin(), ph->blob.end(), h.begin());
    out.phash = h;
  }
  IC_TRY(ic::BigNat ts, nat_field(b, "ts", "block"));
  auto ts64 = ts.to_u64();
  if (!ts64) return make_error(Errc::decode, "block field ts does not fit 64 bits");
  out.timestamp = *ts64;
  const Value* tx = b.get("tx");
  if (!tx || tx->kind != Value::Kind::Map) return make_error(Errc::decode, "block has no tx Map");
  std::string type;
  if (const Value* bt = b.get("btype")) {
    if (bt->kind != Value::Kind::Text) return make_error(Errc::decode, "block field btype is not Text");
    type = bt->text;
  } else if (const Value* op = tx->get("op")) {
    if (op->kind != Value::Kind::Text) return make_error(Errc::decode, "block field tx.op is not Text");
    type = op->text;
  } else {
    return make_error(Errc::decode, "block has neither btype nor tx.op");
  }
  out.type = type;
  if (type == "1mint" || type == "mint") out.kind = Block::Kind::Mint;
  else if (type == "1burn" || type == "burn") out.kind = Block::Kind::Burn;
  else if (type == "1xfer" || type == "xfer" || type == "2xfer") out.kind = Block::Kind::Transfer;
  else if (type == "2approve" || type == "approve") out.kind = Block::Kind::Approve;
  if (out.kind != Block::Kind::Other && out.kind != Block::Kind::Approve) {
    IC_TRY(out.amount, nat_field(*tx, "amt", "block tx"));
  }
  if (const Value* to = tx->get("to")) {
    IC_TRY(out.to_owner, account_owner(*to, "to"));
  }
  if (const Value* from = tx->get("from")) {
    IC_TRY(out.from_owner, account_owner(*from, "from"));
  }
  if (out.kind == Block::Kind::Mint && out.to_owner.empty())
    return make_error(Errc::decode, "mint block has no tx.to");
  if (out.kind == Block::Kind::Burn && out.from_owner.empty())
    return make_error(Errc::decode, "burn block has no tx.from");
  if (const Value* memo = tx->get("memo")) {
    if (memo->kind != Value::Kind::Blob) return make_error(Errc::decode, "block field tx.memo is not a Blob");
    out.memo = memo->blob;
  }
  if (const Value* cts = tx->get("ts")) {
    if (cts->kind != Value::Kind::Nat) return make_error(Errc::decode, "block field tx.ts is not a Nat");
    auto v = cts->number.magnitude().to_u64();
    if (!v) return make_error(Errc::decode, "block field tx.ts does not fit 64 bits");
    out.created_at_time = *v;
  }
  return out;
}

ic::Status ChainVerifier::add(uint64_t index, const Value& block) {
  auto where = "block " + std::to_string(index);
  if (index != next_index_)
    return make_error(Errc::decode, where + " came where block " + std::to_string(next_index_) + " was expected");
  auto parsed = parse_block(block);
  if (!parsed) return ic::Error(parsed.error()).context(where);
  if (index == 0 && parsed->phash)
    return make_error(Errc::crypto, where + " (the first) has a phash");
  if (index > 0) {
    if (!parsed->phash) return make_error(Errc::crypto, where + " has no phash");
    if (*parsed->phash != *last_hash_)
      return make_error(Errc::crypto, where + ": phash " + ic::to_hex(*parsed->phash) +
                                          " is not the hash of block " + std::to_string(index - 1) + " (" +
                                          ic::to_hex(*last_hash_) + ")");
  }
  if (parsed->kind == Block::Kind::Mint) {
    minted_ += parsed->amount;
    ++mint_count_;
  } else if (parsed->kind == Block::Kind::Burn) {
    burned_ += parsed->amount;
  }
  last_hash_ = hash(block);
  ++next_index_;
  return {};
}

ic::Result<Tip> read_tip(ic::ByteView hash_tree_cbor, ic::ByteView certified_data) {
  // Ledgers differ in whether they wrap the tree in the self-describe tag: accept both.
  IC_TRY(ic::cbor::Value v, ic::cbor::decode(hash_tree_cbor));
  IC_TRY(ic::HashTree tree, ic::HashTree::from_cbor(v.untagged()));
  auto root = tree.digest();
  if (certified_data.size() != root.size() || !std::equal(root.begin(), root.end(), certified_data.begin()))
    return make_error(Errc::crypto, "the ledger's tip hash tree (root " + ic::to_hex(root) +
                                        ") is not what its certified data certifies (" + ic::to_hex(certified_data) + ")");
  Tip tip;
  auto idx = tree.lookup({"last_block_index"});
  auto h = tree.lookup({"last_block_hash"});
  if (!idx.found() || !h.found())
    return make_error(Errc::decode, "the ledger's tip hash tree has no last_block_index/last_block_hash leaves");
  size_t pos = 0;
  IC_TRY(tip.last_block_index, ic::read_uleb64(idx.value, pos));
  if (pos != idx.value.size()) return make_error(Errc::decode, "last_block_index is not one ULEB128 number");
  if (h.value.size() != 32) return make_error(Errc::decode, "last_block_hash is not 32 bytes");
  std::copy(h.value.begin(), h.value.end(), tip.last_block_hash.begin());
  return tip;
}

}  // namespace hub::icrc3
