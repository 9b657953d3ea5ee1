// Candid codec throughput: decode (at the wire types and at expected types) and encode of a user
// profile with 50 transactions, and of a 1 MiB blob. Run: build/bench/candid_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "candid/binary.h"

using namespace candid;

namespace {

struct Profile {
  TypeTable table;
  std::vector<TypeRef> types;
  std::vector<Value> values;
  ic::Bytes bytes;
};

ic::Bytes must(ic::Result<ic::Bytes> r) {
  if (!r) {
    std::fprintf(stderr, "candid_bench: %s\n", r.error().to_string().c_str());
    std::abort();
  }
  return std::move(r).value();
}

// type Tx = record { id : nat64; amount : nat64; memo : opt text; kind : variant { stake; unstake; reward };
//                    timestamp : nat64 };
// type Profile = record { owner : principal; name : text; email : text; bio : text; created_at : nat64;
//   updated_at : nat64; staked : nat64; level : nat; avatar : opt blob; referrer : opt principal;
//   transactions : vec Tx };
Profile make_profile() {
  Profile p;
  TypeTable& t = p.table;
  TypeRef kind = t.variant({field("stake", ref(Op::Null)), field("unstake", ref(Op::Null)), field("reward", ref(Op::Null))});
  TypeRef tx = t.record({field("id", ref(Op::Nat64)), field("amount", ref(Op::Nat64)),
                         field("memo", t.opt(ref(Op::Text))), field("kind", kind), field("timestamp", ref(Op::Nat64))});
  TypeRef profile = t.record({field("owner", ref(Op::Principal)), field("name", ref(Op::Text)),
                              field("email", ref(Op::Text)), field("bio", ref(Op::Text)),
                              field("created_at", ref(Op::Nat64)), field("updated_at", ref(Op::Nat64)),
                              field("staked", ref(Op::Nat64)), field("level", ref(Op::Nat)),
                              field("avatar", t.opt(t.blob())), field("referrer", t.opt(ref(Op::Principal))),
                              field("transactions", t.vec(tx))});
  p.types = {profile};
  const char* kinds[] = {"stake", "unstake", "reward"};
  std::vector<Value> txs;
  for (uint64_t i = 0; i < 50; ++i)
    txs.push_back(Value::of_record(
        {{field_hash("id"), Value::of_fixed_nat(Op::Nat64, 1000 + i)},
         {field_hash("amount"), Value::of_fixed_nat(Op::Nat64, 100'000'000 * (i + 1))},
         {field_hash("memo"), i % 3 ? Value::none() : Value::some(Value::of_text("weekly reward #" + std::to_string(i)))},
         {field_hash("kind"), Value::of_variant({field_hash(kinds[i % 3]), Value::null()})},
         {field_hash("timestamp"), Value::of_fixed_nat(Op::Nat64, 1'700'000'000'000'000'000ull + i * 86'400'000'000'000ull)}}));
  ic::Bytes owner = {0x9d, 0x3e, 0x21, 0x08, 0x77, 0x41, 0x02, 0xaa, 0x13, 0x5c, 0x00, 0x01, 0x02,
                     0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x02};
  p.values = {Value::of_record({
      {field_hash("owner"), Value::of_principal(owner)},
      {field_hash("name"), Value::of_text("Ada Lovelace")},
      {field_hash("email"), Value::of_text("ada@example.org")},
      {field_hash("bio"), Value::of_text("Learner on the staking hub since 2023; likes analytical engines.")},
      {field_hash("created_at"), Value::of_fixed_nat(Op::Nat64, 1'690'000'000'000'000'000ull)},
      {field_hash("updated_at"), Value::of_fixed_nat(Op::Nat64, 1'710'000'000'000'000'000ull)},
      {field_hash("staked"), Value::of_fixed_nat(Op::Nat64, 5'000'000'000ull)},
      {field_hash("level"), Value::of_nat(ic::BigNat(42))},
      {field_hash("avatar"), Value::some(Value::of_blob(ic::Bytes(256, 0x5a)))},
      {field_hash("referrer"), Value::none()},
      {field_hash("transactions"), Value::of_vec(std::move(txs))},
  })};
  p.bytes = must(encode(p.table, p.types, p.values));
  return p;
}

const Profile& profile() {
  static const Profile p = make_profile();
  return p;
}

void BM_ProfileDecodeUntyped(benchmark::State& state) {
  const Profile& p = profile();
  for (auto _ : state) {
    auto r = decode(p.bytes);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
}

void BM_ProfileDecodeTyped(benchmark::State& state) {
  const Profile& p = profile();
  for (auto _ : state) {
    auto r = decode(p.bytes, &p.table, &p.types);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
}

void BM_ProfileEncode(benchmark::State& state) {
  const Profile& p = profile();
  for (auto _ : state) {
    auto r = encode(p.table, p.types, p.values);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * p.bytes.size()));
}

struct Blob {
  TypeTable table;
  std::vector<TypeRef> types;
  std::vector<Value> values;
  ic::Bytes bytes;
};

const Blob& blob() {
  static const Blob b = [] {
    Blob x;
    x.types = {x.table.blob()};
    ic::Bytes data(1 << 20);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 2654435761u >> 24);
    x.values = {Value::of_blob(std::move(data))};
    x.bytes = must(encode(x.table, x.types, x.values));
    return x;
  }();
  return b;
}

void BM_Blob1MiBDecode(benchmark::State& state) {
  const Blob& b = blob();
  for (auto _ : state) {
    auto r = decode(b.bytes, &b.table, &b.types);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.bytes.size()));
}

void BM_Blob1MiBEncode(benchmark::State& state) {
  const Blob& b = blob();
  for (auto _ : state) {
    auto r = encode(b.table, b.types, b.values);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.bytes.size()));
}

}  // namespace

BENCHMARK(BM_ProfileDecodeUntyped);
BENCHMARK(BM_ProfileDecodeTyped);
BENCHMARK(BM_ProfileEncode);
BENCHMARK(BM_Blob1MiBDecode);
BENCHMARK(BM_Blob1MiBEncode);
BENCHMARK_MAIN();
