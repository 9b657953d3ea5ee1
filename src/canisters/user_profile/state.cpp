// user_profile's stable layout (state.h).
#include "canisters/user_profile/state.h"

namespace cdk {

void Storable<user_profile::PendingOp>::encode(const user_profile::PendingOp& v, ic::Bytes& out) {
  const ic::Bytes& p = v.user.bytes();
  out.push_back(static_cast<uint8_t>(p.size()));
  out.insert(out.end(), p.begin(), p.end());
  auto put = [&](uint64_t x, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(x >> (8 * i)));
  };
  put(v.amount, 8);
  put(v.created_at_time, 8);
  put(v.attempts, 4);
}

user_profile::PendingOp Storable<user_profile::PendingOp>::decode(ic::ByteView b) {
  user_profile::PendingOp v;
  size_t n = b.empty() ? 0 : b[0];
  if (b.size() < 1 + n + 20) trap("stored pending unstake is truncated");
  v.user = Storable<ic::Principal>::decode(b.subspan(1, n));
  auto get = [&](size_t at, int len) {
    uint64_t x = 0;
    for (int i = 0; i < len; ++i) x |= uint64_t{b[at + i]} << (8 * i);
    return x;
  };
  v.amount = get(1 + n, 8);
  v.created_at_time = get(1 + n + 8, 8);
  v.attempts = static_cast<uint32_t>(get(1 + n + 16, 4));
  return v;
}

}  // namespace cdk

namespace user_profile {

cdk::Heap<HeapState> heap;

Stable& stable() {
  static Stable s;
  return s;
}

ic::Bytes user_key(const Principal& p, ic::ByteView suffix) {
  ic::Bytes k;
  k.reserve(1 + p.bytes().size() + suffix.size());
  k.push_back(static_cast<uint8_t>(p.bytes().size()));
  k.insert(k.end(), p.bytes().begin(), p.bytes().end());
  k.insert(k.end(), suffix.begin(), suffix.end());
  return k;
}

ic::Bytes be64(uint64_t v) {
  ic::Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  return b;
}

uint64_t read_be64(ic::ByteView b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v = (v << 8) | b[i];
  return v;
}

// Transaction value: kind, amount, time, op_id (0 = none), unit id length, unit id.
ic::Bytes encode_tx(const Transaction& t) {
  ic::Bytes out;
  out.push_back(static_cast<uint8_t>(t.kind.index()));
  auto put = [&](uint64_t x) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(x >> (8 * i)));
  };
  put(t.amount);
  put(t.time);
  put(t.op_id.value_or(0));
  std::string unit = t.unit_id.value_or("");
  out.push_back(static_cast<uint8_t>(t.unit_id ? unit.size() + 1 : 0));
  out.insert(out.end(), unit.begin(), unit.end());
  return out;
}

Transaction decode_tx(uint64_t id, ic::ByteView b) {
  Transaction t;
  t.id = id;
  if (b.size() < 26) cdk::trap("stored transaction is truncated");
  auto get = [&](size_t at) {
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x |= uint64_t{b[at + i]} << (8 * i);
    return x;
  };
  switch (b[0]) {
    case 0: t.kind = TxKind::make<"QuizReward">(); break;
    case 1: t.kind = TxKind::make<"Unstake">(); break;
    default: t.kind = TxKind::make<"CreditBack">(); break;
  }
  t.amount = get(1);
  t.time = get(9);
  if (uint64_t op = get(17)) t.op_id = op;
  if (b[25] > 0) t.unit_id = std::string(b.begin() + 26, b.begin() + 26 + (b[25] - 1));
  return t;
}

void put_profile(const Principal& user, const Profile& p) {
  std::string bytes = encode_profile(p);
  auto& map = stable().profiles;
  size_t chunks = (bytes.size() + kProfileChunk - 1) / kProfileChunk;
  for (size_t i = 0; i < chunks; ++i) {
    size_t n = std::min(kProfileChunk, bytes.size() - i * kProfileChunk);
    ic::Bytes v(bytes.begin() + i * kProfileChunk, bytes.begin() + i * kProfileChunk + n);
    uint8_t idx = static_cast<uint8_t>(i);
    map.insert(user_key(user, ic::ByteView(&idx, 1)), v);
  }
  // Drop chunks left over from a longer profile.
  for (size_t i = chunks;; ++i) {
    uint8_t idx = static_cast<uint8_t>(i);
    if (!map.remove(user_key(user, ic::ByteView(&idx, 1)))) break;
  }
}

std::optional<Profile> get_profile(const Principal& user) {
  std::string bytes;
  for (uint8_t i = 0;; ++i) {
    auto v = stable().profiles.get(user_key(user, ic::ByteView(&i, 1)));
    if (!v) break;
    bytes.append(v->begin(), v->end());
  }
  if (bytes.empty()) return std::nullopt;
  return decode_profile(bytes);
}

void save_books() { stable().books.set(heap->books); }

Allowance allowance() {
  const Books& b = heap->books;
  return Allowance{b.granted, b.used, heap->reward_holds.total(), b.returned};
}

}  // namespace user_profile
