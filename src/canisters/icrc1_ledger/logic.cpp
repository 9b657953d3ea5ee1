// icrc1_ledger's pure rules (logic.h) and the Candid coding of its hand-written types (types.h).
#include "canisters/icrc1_ledger/logic.h"

#include <algorithm>
#include <array>

#include "cdk/runtime.h"

namespace icrc1_ledger {

// --- Value

Value Value::of_blob(Blob b) {
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
Value Value::of_nat(u128 n) {
  Value v;
  v.kind = Kind::Nat;
  v.nat = n;
  return v;
}
Value Value::of_int(__int128 n) {
  Value v;
  v.kind = Kind::Int;
  v.integer = n;
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
  for (const auto& [k, v] : map)
    if (k == key) return &v;
  return nullptr;
}

// --- arithmetic

u128 add(u128 a, u128 b, const char* what) {
  u128 r;
  if (__builtin_add_overflow(a, b, &r)) cdk::trap(std::string("icrc1_ledger: arithmetic overflow in ") + what);
  return r;
}
u128 sub(u128 a, u128 b, const char* what) {
  if (b > a) cdk::trap(std::string("icrc1_ledger: arithmetic underflow in ") + what);
  return a - b;
}

// --- accounts

bool valid_account(const Account& a) { return !a.subaccount || a.subaccount->size() == kSubaccountSize; }

namespace {
bool zero_or_absent(const std::optional<Blob>& s) {
  return !s || std::all_of(s->begin(), s->end(), [](uint8_t b) { return b == 0; });
}
}  // namespace

bool same_account(const Account& a, const Account& b) {
  if (a.owner != b.owner) return false;
  if (zero_or_absent(a.subaccount) || zero_or_absent(b.subaccount))
    return zero_or_absent(a.subaccount) && zero_or_absent(b.subaccount);
  return *a.subaccount == *b.subaccount;
}

ic::Bytes account_key(const Account& a) {
  const ic::Bytes& p = a.owner.bytes();
  ic::Bytes k;
  k.reserve(1 + p.size() + kSubaccountSize);
  k.push_back(static_cast<uint8_t>(p.size()));
  k.insert(k.end(), p.begin(), p.end());
  if (a.subaccount && a.subaccount->size() == kSubaccountSize) k.insert(k.end(), a.subaccount->begin(), a.subaccount->end());
  else k.insert(k.end(), kSubaccountSize, 0);
  return k;
}

// --- hashing (ICRC-3 "Value Hash")

void write_uleb128(ic::Bytes& out, u128 v) {
  do {
    uint8_t b = static_cast<uint8_t>(v & 0x7F);
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
}

void write_sleb128(ic::Bytes& out, __int128 v) {
  for (;;) {
    uint8_t b = static_cast<uint8_t>(v & 0x7F);
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
    out.push_back(done ? b : static_cast<uint8_t>(b | 0x80));
    if (done) return;
  }
}

ic::Hash256 hash_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Blob: return ic::sha256(ic::ByteView(v.blob.data(), v.blob.size()));
    case Value::Kind::Text: return ic::sha256(std::string_view(v.text));
    case Value::Kind::Nat: {
      ic::Bytes b;
      write_uleb128(b, v.nat);
      return ic::sha256(b);
    }
    case Value::Kind::Int: {
      ic::Bytes b;
      write_sleb128(b, v.integer);
      return ic::sha256(b);
    }
    case Value::Kind::Array: {
      ic::Sha256 h;
      for (const Value& e : v.array) h.update(hash_value(e));
      return h.finish();
    }
    case Value::Kind::Map: {
      std::vector<std::array<uint8_t, 64>> items;
      items.reserve(v.map.size());
      for (const auto& [k, e] : v.map) {
        std::array<uint8_t, 64> item;
        ic::Hash256 kh = ic::sha256(std::string_view(k)), vh = hash_value(e);
        std::copy(kh.begin(), kh.end(), item.begin());
        std::copy(vh.begin(), vh.end(), item.begin() + 32);
        items.push_back(item);
      }
      std::sort(items.begin(), items.end());
      ic::Sha256 h;
      for (const auto& item : items) h.update(ic::ByteView(item.data(), item.size()));
      return h.finish();
    }
  }
  return {};
}

// --- blocks

const char* btype_of(BlockKind k) {
  switch (k) {
    case BlockKind::Mint: return "1mint";
    case BlockKind::Burn: return "1burn";
    case BlockKind::Transfer: return "1xfer";
  }
  return "?";
}
const char* op_of(BlockKind k) {
  switch (k) {
    case BlockKind::Mint: return "mint";
    case BlockKind::Burn: return "burn";
    case BlockKind::Transfer: return "xfer";
  }
  return "?";
}

namespace {
// ICRC-3 "Account Type": Array [Blob owner] or [Blob owner, Blob subaccount] when one was given.
Value account_value(const Account& a) {
  std::vector<Value> parts;
  parts.push_back(Value::of_blob(Blob(a.owner.bytes().begin(), a.owner.bytes().end())));
  if (a.subaccount) parts.push_back(Value::of_blob(*a.subaccount));
  return Value::of_array(std::move(parts));
}
}  // namespace

Value tx_value(const Block& b) {
  std::vector<std::pair<std::string, Value>> m;
  m.emplace_back("op", Value::of_text(op_of(b.kind)));
  m.emplace_back("amt", Value::of_nat(b.amount));
  if (b.from) m.emplace_back("from", account_value(*b.from));
  if (b.to) m.emplace_back("to", account_value(*b.to));
  if (b.tx_fee) m.emplace_back("fee", Value::of_nat(*b.tx_fee));
  if (b.memo) m.emplace_back("memo", Value::of_blob(*b.memo));
  if (b.created_at_time) m.emplace_back("ts", Value::of_nat(*b.created_at_time));
  return Value::of_map(std::move(m));
}

Value block_value(const Block& b) {
  std::vector<std::pair<std::string, Value>> m;
  m.emplace_back("btype", Value::of_text(btype_of(b.kind)));
  m.emplace_back("ts", Value::of_nat(b.timestamp));
  if (b.phash) m.emplace_back("phash", Value::of_blob(Blob(b.phash->begin(), b.phash->end())));
  if (b.fee) m.emplace_back("fee", Value::of_nat(*b.fee));
  m.emplace_back("tx", tx_value(b));
  return Value::of_map(std::move(m));
}

// Stable encoding: kind, presence flags, ts, then the optional parts in a fixed order; integers little-endian.
namespace {
enum : uint8_t { kPhash = 1, kFrom = 2, kTo = 4, kTxFee = 8, kFee = 16, kMemo = 32, kCreated = 64 };

void put_u64(ic::Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u128(ic::Bytes& out, u128 v) {
  for (int i = 0; i < 16; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_account(ic::Bytes& out, const Account& a) {
  const ic::Bytes& p = a.owner.bytes();
  out.push_back(static_cast<uint8_t>(p.size()));
  out.insert(out.end(), p.begin(), p.end());
  out.push_back(a.subaccount ? static_cast<uint8_t>(a.subaccount->size()) : 0xFF);
  if (a.subaccount) out.insert(out.end(), a.subaccount->begin(), a.subaccount->end());
}

struct In {
  ic::ByteView b;
  size_t pos = 0;
  bool ok = true;
  bool need(size_t n) {
    if (pos + n > b.size()) ok = false;
    return ok;
  }
  uint8_t byte() { return need(1) ? b[pos++] : 0; }
  uint64_t u64() {
    uint64_t v = 0;
    if (!need(8)) return 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{b[pos + i]} << (8 * i);
    pos += 8;
    return v;
  }
  u128 u128v() {
    u128 v = 0;
    if (!need(16)) return 0;
    for (int i = 0; i < 16; ++i) v |= u128{b[pos + i]} << (8 * i);
    pos += 16;
    return v;
  }
  Blob bytes(size_t n) {
    if (!need(n)) return {};
    Blob out(b.begin() + pos, b.begin() + pos + n);
    pos += n;
    return out;
  }
  Account account() {
    Account a;
    size_t n = byte();
    Blob p = bytes(n);
    auto pr = ic::Principal::from_bytes(ic::ByteView(p.data(), p.size()));
    if (!pr.ok()) ok = false;
    else a.owner = std::move(pr).value();
    uint8_t s = byte();
    if (s != 0xFF) a.subaccount = bytes(s);
    return a;
  }
};
}  // namespace

ic::Bytes encode_block(const Block& b) {
  ic::Bytes out;
  uint8_t flags = (b.phash ? kPhash : 0) | (b.from ? kFrom : 0) | (b.to ? kTo : 0) | (b.tx_fee ? kTxFee : 0) |
                  (b.fee ? kFee : 0) | (b.memo ? kMemo : 0) | (b.created_at_time ? kCreated : 0);
  out.push_back(static_cast<uint8_t>(b.kind));
  out.push_back(flags);
  put_u64(out, b.timestamp);
  put_u128(out, b.amount);
  if (b.phash) out.insert(out.end(), b.phash->begin(), b.phash->end());
  if (b.from) put_account(out, *b.from);
  if (b.to) put_account(out, *b.to);
  if (b.tx_fee) put_u128(out, *b.tx_fee);
  if (b.fee) put_u128(out, *b.fee);
  if (b.memo) {
    out.push_back(static_cast<uint8_t>(b.memo->size()));
    out.insert(out.end(), b.memo->begin(), b.memo->end());
  }
  if (b.created_at_time) put_u64(out, *b.created_at_time);
  return out;
}

std::optional<Block> decode_block(ic::ByteView bytes) {
  In in{bytes};
  Block b;
  uint8_t kind = in.byte();
  if (kind < 1 || kind > 3) return std::nullopt;
  b.kind = static_cast<BlockKind>(kind);
  uint8_t flags = in.byte();
  b.timestamp = in.u64();
  b.amount = in.u128v();
  if (flags & kPhash) {
    Blob h = in.bytes(32);
    if (in.ok) {
      ic::Hash256 a;
      std::copy(h.begin(), h.end(), a.begin());
      b.phash = a;
    }
  }
  if (flags & kFrom) b.from = in.account();
  if (flags & kTo) b.to = in.account();
  if (flags & kTxFee) b.tx_fee = in.u128v();
  if (flags & kFee) b.fee = in.u128v();
  if (flags & kMemo) b.memo = in.bytes(in.byte());
  if (flags & kCreated) b.created_at_time = in.u64();
  if (!in.ok || in.pos != bytes.size()) return std::nullopt;
  return b;
}

ic::HashTree tip_tree(uint64_t last_index, const ic::Hash256& last_hash) {
  ic::Bytes index;
  write_uleb128(index, last_index);
  // Labels in order (well-formed tree): last_block_hash < last_block_index.
  return ic::HashTree::fork(ic::HashTree::labeled("last_block_hash", ic::HashTree::leaf(ic::ByteView(last_hash))),
                            ic::HashTree::labeled("last_block_index", ic::HashTree::leaf(ic::ByteView(index))));
}

TimeCheck check_time(uint64_t created_at_time, uint64_t now) {
  // created_at_time + window + drift < now, computed without overflow.
  if (now > kTxWindowNs + kPermittedDriftNs && created_at_time < now - kTxWindowNs - kPermittedDriftNs)
    return TimeCheck::TooOld;
  if (created_at_time > now && created_at_time - now > kPermittedDriftNs) return TimeCheck::InFuture;
  return TimeCheck::Ok;
}

}  // namespace icrc1_ledger

// --- Candid coding of the hand-written types (types.h)

namespace cdk {

namespace {
using icrc1_ledger::Value;

// Value's alternatives in Candid field-id order (the order of the type table and of the value's index).
struct AltInfo {
  const char* name;
  Value::Kind kind;
};
constexpr AltInfo kAlts[] = {{"Blob", Value::Kind::Blob}, {"Text", Value::Kind::Text}, {"Nat", Value::Kind::Nat},
                             {"Int", Value::Kind::Int},   {"Array", Value::Kind::Array}, {"Map", Value::Kind::Map}};
constexpr std::array<size_t, 6> kAltOrder = [] {
  std::array<size_t, 6> order{0, 1, 2, 3, 4, 5};
  for (size_t i = 1; i < 6; ++i)
    for (size_t j = i; j > 0 && field_id(kAlts[order[j]].name) < field_id(kAlts[order[j - 1]].name); --j) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  return order;
}();

// Keys identifying the composite types in a TypeWriter.
// Distinct non-const objects: distinct addresses.
char kArrayKey, kMapKey, kEntryKey, kCallbackKey;

size_t position_of(Value::Kind k) {
  for (size_t p = 0; p < 6; ++p)
    if (kAlts[kAltOrder[p]].kind == k) return p;
  return 0;
}
}  // namespace

int32_t CandidType<Value>::type(TypeWriter& w) {
  return w.composite(&detail::type_key<Value>, [&](ic::Bytes& e) {
    detail::put_sleb(e, op::kVariant);
    detail::put_uleb(e, 6);
    for (size_t p = 0; p < 6; ++p) {
      const AltInfo& a = kAlts[kAltOrder[p]];
      int32_t t = 0;
      switch (a.kind) {
        case Value::Kind::Blob: t = CandidType<std::vector<uint8_t>>::type(w); break;
        case Value::Kind::Text: t = op::kText; break;
        case Value::Kind::Nat: t = op::kNat; break;
        case Value::Kind::Int: t = op::kInt; break;
        case Value::Kind::Array:
          t = w.composite(&kArrayKey, [&](ic::Bytes& v) {
            detail::put_sleb(v, op::kVec);
            detail::put_sleb(v, CandidType<Value>::type(w));
          });
          break;
        case Value::Kind::Map:
          t = w.composite(&kMapKey, [&](ic::Bytes& v) {
            int32_t entry = w.composite(&kEntryKey, [&](ic::Bytes& r) {
              detail::put_sleb(r, op::kRecord);
              detail::put_uleb(r, 2);
              detail::put_uleb(r, 0);
              detail::put_sleb(r, op::kText);
              detail::put_uleb(r, 1);
              detail::put_sleb(r, CandidType<Value>::type(w));
            });
            detail::put_sleb(v, op::kVec);
            detail::put_sleb(v, entry);
          });
          break;
      }
      detail::put_uleb(e, field_id(a.name));
      detail::put_sleb(e, t);
    }
  });
}

void CandidType<Value>::encode(ic::Bytes& out, const Value& v) {
  detail::put_uleb(out, position_of(v.kind));
  switch (v.kind) {
    case Value::Kind::Blob: CandidType<std::vector<uint8_t>>::encode(out, v.blob); break;
    case Value::Kind::Text: detail::put_text(out, v.text); break;
    case Value::Kind::Nat: detail::put_nat128(out, v.nat); break;
    case Value::Kind::Int: detail::put_int128(out, v.integer); break;
    case Value::Kind::Array:
      detail::put_uleb(out, v.array.size());
      for (const Value& e : v.array) encode(out, e);
      break;
    case Value::Kind::Map:
      detail::put_uleb(out, v.map.size());
      for (const auto& [k, e] : v.map) {
        detail::put_text(out, k);
        encode(out, e);
      }
      break;
  }
}

// func (vec BlockRange) -> (GetBlocksResult) query (Candid.md "func": opcode, arguments, results, annotations).
int32_t CandidType<icrc1_ledger::GetBlocksCallback>::type(TypeWriter& w) {
  return w.composite(&kCallbackKey, [&](ic::Bytes& e) {
    detail::put_sleb(e, op::kFunc);
    detail::put_uleb(e, 1);
    detail::put_sleb(e, CandidType<std::vector<icrc1_ledger::BlockRange>>::type(w));
    detail::put_uleb(e, 1);
    detail::put_sleb(e, CandidType<icrc1_ledger::GetBlocksResult>::type(w));
    detail::put_uleb(e, 1);
    e.push_back(1);  // query
  });
}

// A public func reference: 1, then the service (1, the principal), then the method name (Candid.md "References").
void CandidType<icrc1_ledger::GetBlocksCallback>::encode(ic::Bytes& out, const icrc1_ledger::GetBlocksCallback& v) {
  out.push_back(1);
  out.push_back(1);
  detail::put_uleb(out, v.canister.bytes().size());
  out.insert(out.end(), v.canister.bytes().begin(), v.canister.bytes().end());
  detail::put_text(out, v.method);
}

}  // namespace cdk
