// Typed Candid for canister methods: C++ types map to Candid types at compile time (cdk::CandidType<T>),
// so a canister encodes and decodes its own messages without the generic value codec of src/candid.
#pragma once

// Mapping (Candid.md "Types"):
//   bool, uint8_t..uint64_t (nat8..nat64), int8_t..int64_t, float (float32), double (float64),
//   unsigned __int128 / __int128 (nat / int, trap-free range check on decode), ic::BigNat (nat),
//   ic::BigInt (int), std::string (text), ic::Principal (principal), cdk::Null, cdk::Reserved,
//   std::optional<T> (opt), std::vector<T> (vec; std::vector<uint8_t> = blob), std::tuple<T...> (tuple
//   record), structs listed with CDK_RECORD (record), cdk::Variant<cdk::Alt<"Name", T>...> and
//   cdk::Result<T, E> (variant). Recursive types, func and service references are not supported.
// Decoding follows the spec's subtyping: extra record fields and arguments are skipped, missing opt /
// null / reserved fields become empty, nat is accepted for int, and the "opt rule" turns a value that does
// not fit an opt type into null. Any failure is reported (the method wrappers trap with it). `empty` on the
// wire is accepted where no value can follow (vec empty, variant alternatives, opt); elsewhere a message
// with an `empty` argument or field is refused up front rather than when its (impossible) value is read.

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/principal.h"

static_assert(std::endian::native == std::endian::little, "the Candid fixed-width encoding is little-endian");

namespace cdk {

struct Null {
  friend bool operator==(const Null&, const Null&) = default;
};
struct Reserved {
  friend bool operator==(const Reserved&, const Reserved&) = default;
};

// Type opcodes of the binary format.
namespace op {
constexpr int32_t kNull = -1, kBool = -2, kNat = -3, kInt = -4, kNat8 = -5, kNat16 = -6, kNat32 = -7,
                  kNat64 = -8, kInt8 = -9, kInt16 = -10, kInt32 = -11, kInt64 = -12, kFloat32 = -13,
                  kFloat64 = -14, kText = -15, kReserved = -16, kEmpty = -17, kOpt = -18, kVec = -19,
                  kRecord = -20, kVariant = -21, kFunc = -22, kService = -23, kPrincipal = -24;
}

// Field id of a record field or variant alternative name (Candid.md "Records").
constexpr uint32_t field_id(std::string_view name) {
  uint32_t h = 0;
  for (char c : name) h = h * 223 + static_cast<uint8_t>(c);
  return h;
}

// Reads a Candid message: "DIDL", the type table, the argument types, then values on demand.
// Bounded for any input: nesting depth, and a work budget that every value (and vector length) is charged
// against, so a vector of a billion nulls fails at once.
class Reader {
 public:
  struct Field {
    uint32_t id;
    int32_t type;
  };
  static constexpr int kMaxDepth = 128;

  explicit Reader(ic::ByteView msg);
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool fail(std::string message);  // records the first error; returns false

  size_t arg_count() const { return args_.size(); }
  int32_t arg_type(size_t i) const { return args_[i]; }

  int32_t op(int32_t t) const { return t < 0 ? t : entries_[static_cast<size_t>(t)].op; }
  int32_t inner(int32_t t) const { return entries_[static_cast<size_t>(t)].inner; }
  std::span<const Field> fields(int32_t t) const {
    const Entry& e = entries_[static_cast<size_t>(t)];
    return std::span<const Field>(fields_.data() + e.first, e.count);
  }
  // Candid syntax of a wire type, for error messages (recursive types are cut off).
  std::string type_text(int32_t t, int depth = 0) const;

  bool byte(uint8_t& out);
  bool bytes(void* dst, size_t n);
  bool view(size_t n, ic::ByteView& out);
  bool uleb(uint64_t& out);
  bool nat(ic::BigNat& out);
  bool integer(ic::BigInt& out, bool from_nat);
  bool nat128(unsigned __int128& out);
  bool int128(__int128& out, bool from_nat);
  bool text(std::string& out);
  bool principal(ic::Principal& out);
  bool skip(int32_t t);
  bool charge(uint64_t units);
  bool enter();
  void leave() { --depth_; }
  bool at_end() const { return pos_ == msg_.size(); }

 private:
  struct Entry {
    int32_t op;
    int32_t inner;
    uint32_t first, count;
  };
  bool parse_header();
  bool sleb(int64_t& out);
  bool type_ref(int64_t& out);
  bool skip_leb();
  bool skip_blob();

  ic::ByteView msg_;
  size_t pos_ = 0;
  std::vector<Entry> entries_;
  std::vector<Field> fields_;
  std::vector<int32_t> args_;
  uint64_t table_size_ = 0;
  uint64_t budget_;
  int depth_ = 0;
  std::string error_;
};

// Collects the type table of a message being encoded; composite types are entered once per C++ type.
class TypeWriter {
 public:
  template <class F>
  int32_t composite(const void* key, F&& build) {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return static_cast<int32_t>(i);
    size_t index = keys_.size();
    keys_.push_back(key);
    entries_.emplace_back();
    ic::Bytes entry;
    build(entry);
    entries_[index] = std::move(entry);
    return static_cast<int32_t>(index);
  }
  // "DIDL", the table and the argument types.
  void write_header(ic::Bytes& out, std::span<const int32_t> args) const;

 private:
  std::vector<const void*> keys_;
  std::vector<ic::Bytes> entries_;
};

namespace detail {
void put_uleb(ic::Bytes& out, uint64_t v);
void put_sleb(ic::Bytes& out, int64_t v);
void put_nat128(ic::Bytes& out, unsigned __int128 v);
void put_int128(ic::Bytes& out, __int128 v);
void put_text(ic::Bytes& out, std::string_view s);
void put_principal(ic::Bytes& out, const ic::Principal& p);
void put_big_nat(ic::Bytes& out, const ic::BigNat& v);
void put_big_int(ic::Bytes& out, const ic::BigInt& v);
template <class T>
inline constexpr char type_key = 0;  // its address identifies T in a TypeWriter
}  // namespace detail

// The mapping of one C++ type. Every specialization provides:
//   static void text(std::string&)                      Candid syntax of the type
//   static int32_t type(TypeWriter&)                   its wire type (opcode or table index)
//   static void encode(ic::Bytes&, const T&)
//   static bool accepts(const Reader&, int32_t wire)   wire <: T (Candid.md "Subtyping")
//   static bool decode(Reader&, int32_t wire, T&)      precondition: accepts(wire)
//   static constexpr bool null_like                    opt, null, reserved: may be absent
template <class T>
struct CandidType;  // no mapping for this type: see the list at the top of cdk/candid.h

namespace detail {
template <int32_t Op>
struct Primitive {
  static constexpr bool null_like = false;
  static int32_t type(TypeWriter&) { return Op; }
  static bool accepts(const Reader& r, int32_t w) { return r.op(w) == Op; }
};
template <class T, int32_t Op, const char* Name>
struct Fixed : Primitive<Op> {
  static void text(std::string& s) { s += Name; }
  static void encode(ic::Bytes& out, const T& v) {
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
  }
  static bool decode(Reader& r, int32_t, T& out) { return r.charge(1) && r.bytes(&out, sizeof(T)); }
};
inline constexpr char kNat8Name[] = "nat8", kNat16Name[] = "nat16", kNat32Name[] = "nat32", kNat64Name[] = "nat64",
                      kInt8Name[] = "int8", kInt16Name[] = "int16", kInt32Name[] = "int32", kInt64Name[] = "int64",
                      kFloat32Name[] = "float32", kFloat64Name[] = "float64";
}  // namespace detail

template <> struct CandidType<uint8_t> : detail::Fixed<uint8_t, op::kNat8, detail::kNat8Name> {};
template <> struct CandidType<uint16_t> : detail::Fixed<uint16_t, op::kNat16, detail::kNat16Name> {};
template <> struct CandidType<uint32_t> : detail::Fixed<uint32_t, op::kNat32, detail::kNat32Name> {};
template <> struct CandidType<uint64_t> : detail::Fixed<uint64_t, op::kNat64, detail::kNat64Name> {};
template <> struct CandidType<int8_t> : detail::Fixed<int8_t, op::kInt8, detail::kInt8Name> {};
template <> struct CandidType<int16_t> : detail::Fixed<int16_t, op::kInt16, detail::kInt16Name> {};
template <> struct CandidType<int32_t> : detail::Fixed<int32_t, op::kInt32, detail::kInt32Name> {};
template <> struct CandidType<int64_t> : detail::Fixed<int64_t, op::kInt64, detail::kInt64Name> {};
template <> struct CandidType<float> : detail::Fixed<float, op::kFloat32, detail::kFloat32Name> {};
template <> struct CandidType<double> : detail::Fixed<double, op::kFloat64, detail::kFloat64Name> {};

template <>
struct CandidType<bool> : detail::Primitive<op::kBool> {
  static void text(std::string& s) { s += "bool"; }
  static void encode(ic::Bytes& out, bool v) { out.push_back(v ? 1 : 0); }
  static bool decode(Reader& r, int32_t, bool& out) {
    uint8_t b;
    if (!r.charge(1) || !r.byte(b)) return false;
    if (b > 1) return r.fail("bool byte " + std::to_string(b) + " is neither 0 nor 1");
    out = b == 1;
    return true;
  }
};

template <>
struct CandidType<std::string> : detail::Primitive<op::kText> {
  static void text(std::string& s) { s += "text"; }
  static void encode(ic::Bytes& out, const std::string& v) { detail::put_text(out, v); }
  static bool decode(Reader& r, int32_t, std::string& out) { return r.charge(1) && r.text(out); }
};

template <>
struct CandidType<ic::Principal> : detail::Primitive<op::kPrincipal> {
  static void text(std::string& s) { s += "principal"; }
  static void encode(ic::Bytes& out, const ic::Principal& v) { detail::put_principal(out, v); }
  static bool decode(Reader& r, int32_t, ic::Principal& out) { return r.charge(1) && r.principal(out); }
};

template <>
struct CandidType<ic::BigNat> : detail::Primitive<op::kNat> {
  static void text(std::string& s) { s += "nat"; }
  static void encode(ic::Bytes& out, const ic::BigNat& v) { detail::put_big_nat(out, v); }
  static bool decode(Reader& r, int32_t, ic::BigNat& out) { return r.charge(1) && r.nat(out); }
};

template <>
struct CandidType<unsigned __int128> : detail::Primitive<op::kNat> {
  static void text(std::string& s) { s += "nat"; }
  static void encode(ic::Bytes& out, unsigned __int128 v) { detail::put_nat128(out, v); }
  static bool decode(Reader& r, int32_t, unsigned __int128& out) { return r.charge(1) && r.nat128(out); }
};

// int accepts nat values too (nat <: int).
template <>
struct CandidType<ic::BigInt> {
  static constexpr bool null_like = false;
  static void text(std::string& s) { s += "int"; }
  static int32_t type(TypeWriter&) { return op::kInt; }
  static bool accepts(const Reader& r, int32_t w) {
    int32_t o = r.op(w);
    return o == op::kInt || o == op::kNat;
  }
  static void encode(ic::Bytes& out, const ic::BigInt& v) { detail::put_big_int(out, v); }
  static bool decode(Reader& r, int32_t w, ic::BigInt& out) {
    return r.charge(1) && r.integer(out, r.op(w) == op::kNat);
  }
};

template <>
struct CandidType<__int128> {
  static constexpr bool null_like = false;
  static void text(std::string& s) { s += "int"; }
  static int32_t type(TypeWriter&) { return op::kInt; }
  static bool accepts(const Reader& r, int32_t w) { return CandidType<ic::BigInt>::accepts(r, w); }
  static void encode(ic::Bytes& out, __int128 v) { detail::put_int128(out, v); }
  static bool decode(Reader& r, int32_t w, __int128& out) { return r.charge(1) && r.int128(out, r.op(w) == op::kNat); }
};

template <>
struct CandidType<Null> {
  static constexpr bool null_like = true;
  static void text(std::string& s) { s += "null"; }
  static int32_t type(TypeWriter&) { return op::kNull; }
  static bool accepts(const Reader& r, int32_t w) { return r.op(w) == op::kNull; }
  static void encode(ic::Bytes&, const Null&) {}
  static bool decode(Reader& r, int32_t, Null&) { return r.charge(1); }
  static void missing(Null&) {}
};

// Every type is a subtype of reserved: the value is skipped.
template <>
struct CandidType<Reserved> {
  static constexpr bool null_like = true;
  static void text(std::string& s) { s += "reserved"; }
  static int32_t type(TypeWriter&) { return op::kReserved; }
  static bool accepts(const Reader&, int32_t) { return true; }
  static void encode(ic::Bytes&, const Reserved&) {}
  static bool decode(Reader& r, int32_t w, Reserved&) { return r.skip(w); }
  static void missing(Reserved&) {}
};

namespace detail {
template <class T>
constexpr bool null_like_v = CandidType<T>::null_like;
template <class T>
void missing_value(T& out) {
  if constexpr (null_like_v<T>) CandidType<T>::missing(out);
}
}  // namespace detail

// opt T. Decoding (Candid.md "Coercion"): null and reserved give none; opt t' gives ?v when t' <: T and none
// otherwise; any other t' gives ?v when T is not null-like and t' <: T, else none (the "opt rule").
template <class T>
struct CandidType<std::optional<T>> {
  static constexpr bool null_like = true;
  static void text(std::string& s) {
    s += "opt ";
    CandidType<T>::text(s);
  }
  static int32_t type(TypeWriter& w) {
    return w.composite(&detail::type_key<std::optional<T>>, [&](ic::Bytes& e) {
      detail::put_sleb(e, op::kOpt);
      detail::put_sleb(e, CandidType<T>::type(w));
    });
  }
  static bool accepts(const Reader&, int32_t) { return true; }
  static void encode(ic::Bytes& out, const std::optional<T>& v) {
    out.push_back(v ? 1 : 0);
    if (v) CandidType<T>::encode(out, *v);
  }
  static bool decode(Reader& r, int32_t w, std::optional<T>& out) {
    out.reset();
    int32_t o = r.op(w);
    if (o == op::kNull || o == op::kReserved) return r.charge(1);
    if (o == op::kOpt) {
      uint8_t flag;
      if (!r.charge(1) || !r.byte(flag)) return false;
      if (flag == 0) return true;
      if (flag != 1) return r.fail("opt flag byte " + std::to_string(flag) + " is neither 0 nor 1");
      return some_or_skip(r, r.inner(w), out);
    }
    if (detail::null_like_v<T>) return r.skip(w);
    return some_or_skip(r, w, out);
  }
  static void missing(std::optional<T>& out) { out.reset(); }

 private:
  static bool some_or_skip(Reader& r, int32_t w, std::optional<T>& out) {
    if (!CandidType<T>::accepts(r, w)) return r.skip(w);
    if (!r.enter()) return false;
    out.emplace();
    bool ok = CandidType<T>::decode(r, w, *out);
    r.leave();
    return ok;
  }
};

template <class T, class A>
struct CandidType<std::vector<T, A>> {
  static constexpr bool null_like = false;
  static void text(std::string& s) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      s += "blob";
    } else {
      s += "vec ";
      CandidType<T>::text(s);
    }
  }
  static int32_t type(TypeWriter& w) {
    return w.composite(&detail::type_key<std::vector<T, A>>, [&](ic::Bytes& e) {
      detail::put_sleb(e, op::kVec);
      detail::put_sleb(e, CandidType<T>::type(w));
    });
  }
  static bool accepts(const Reader& r, int32_t w) {
    int32_t o = r.op(w);
    // vec empty can only be the empty vector, which fits any vec type.
    return o == op::kVec && (r.op(r.inner(w)) == op::kEmpty || CandidType<T>::accepts(r, r.inner(w)));
  }
  static void encode(ic::Bytes& out, const std::vector<T, A>& v) {
    detail::put_uleb(out, v.size());
    if constexpr (std::is_same_v<T, uint8_t>) {
      out.insert(out.end(), v.begin(), v.end());
    } else {
      for (const auto& x : v) CandidType<T>::encode(out, x);
    }
  }
  static bool decode(Reader& r, int32_t w, std::vector<T, A>& out) {
    out.clear();
    uint64_t n;
    if (!r.uleb(n) || !r.charge(n + 1)) return false;
    int32_t inner = r.inner(w);
    if constexpr (std::is_same_v<T, uint8_t>) {
      ic::ByteView b;
      if (!r.view(n, b)) return false;
      out.assign(b.begin(), b.end());
      return true;
    } else {
      if (!r.enter()) return false;
      for (uint64_t i = 0; i < n; ++i) {
        T item{};
        if (!CandidType<T>::decode(r, inner, item)) return false;
        out.push_back(std::move(item));
      }
      r.leave();
      return true;
    }
  }
};

namespace detail {

// Records and variants: fields named by id, encoded in increasing id order (Candid.md "Records").
template <size_t N>
constexpr std::array<size_t, N> order_by_id(const std::array<uint32_t, N>& ids) {
  std::array<size_t, N> order{};
  for (size_t i = 0; i < N; ++i) order[i] = i;
  for (size_t i = 1; i < N; ++i)  // insertion sort: N is small and this runs at compile time
    for (size_t j = i; j > 0 && ids[order[j]] < ids[order[j - 1]]; --j) std::swap(order[j], order[j - 1]);
  return order;
}
template <size_t N>
constexpr bool ids_distinct(const std::array<uint32_t, N>& ids) {
  for (size_t i = 0; i < N; ++i)
    for (size_t j = i + 1; j < N; ++j)
      if (ids[i] == ids[j]) return false;
  return true;
}

// Shared by records (Members = struct fields) and tuples: Desc provides N, ids, name(i), and member access.
template <class Desc, class T>
struct RecordCodec {
  static constexpr size_t N = Desc::N;
  static constexpr auto order = order_by_id(Desc::ids);
  static_assert(ids_distinct(Desc::ids), "two record fields hash to the same Candid field id");

  template <class F>
  static void each(F&& f) {  // f(index constant)
    [&]<size_t... I>(std::index_sequence<I...>) { (f(std::integral_constant<size_t, I>{}), ...); }(
        std::make_index_sequence<N>{});
  }
  template <class F>
  static bool at(size_t i, F&& f) {  // f(index constant) for a runtime index
    bool result = false;
    each([&](auto I) {
      if (I() == i) result = f(I);
    });
    return result;
  }
  static int find(uint32_t id) {
    for (size_t i = 0; i < N; ++i)
      if (Desc::ids[i] == id) return static_cast<int>(i);
    return -1;
  }

  static void text(std::string& s) {
    s += "record {";
    [&]<size_t... P>(std::index_sequence<P...>) {
      ((s += P == 0 ? " " : "; ", Desc::label(s, order[P]),
        CandidType<typename Desc::template Member<order[P]>>::text(s)),
       ...);
    }(std::make_index_sequence<N>{});
    s += N ? " }" : "}";
  }
  static int32_t type(TypeWriter& w) {
    return w.composite(&type_key<T>, [&](ic::Bytes& e) {
      put_sleb(e, op::kRecord);
      put_uleb(e, N);
      [&]<size_t... P>(std::index_sequence<P...>) {
        ((put_uleb(e, Desc::ids[order[P]]),
          put_sleb(e, CandidType<typename Desc::template Member<order[P]>>::type(w))),
         ...);
      }(std::make_index_sequence<N>{});
    });
  }
  static bool accepts(const Reader& r, int32_t w) {
    if (r.op(w) != op::kRecord) return false;
    auto wire = r.fields(w);
    bool ok = true;
    each([&](auto I) {
      using M = typename Desc::template Member<I()>;
      if (!ok) return;
      for (const auto& f : wire)
        if (f.id == Desc::ids[I()]) {
          ok = CandidType<M>::accepts(r, f.type);
          return;
        }
      ok = null_like_v<M>;
    });
    return ok;
  }
  static void encode(ic::Bytes& out, const T& v) {
    [&]<size_t... P>(std::index_sequence<P...>) {
      (CandidType<typename Desc::template Member<order[P]>>::encode(out, Desc::template get<order[P]>(v)), ...);
    }(std::make_index_sequence<N>{});
  }
  static bool decode(Reader& r, int32_t w, T& out) {
    if (!r.charge(1) || !r.enter()) return false;
    bool seen[N + 1] = {};
    for (const auto& f : r.fields(w)) {
      int i = find(f.id);
      if (i < 0) {
        if (!r.skip(f.type)) return false;
        continue;
      }
      seen[i] = true;
      bool ok = at(static_cast<size_t>(i), [&](auto I) {
        return CandidType<typename Desc::template Member<I()>>::decode(r, f.type, Desc::template get<I()>(out));
      });
      if (!ok) return false;
    }
    each([&](auto I) {
      if (!seen[I()]) missing_value(Desc::template get<I()>(out));
    });
    r.leave();
    return true;
  }
};

}  // namespace detail

// record { name : T; ... } from a struct: CDK_RECORD(Account, owner, subaccount) at namespace scope, in the
// struct's namespace, after the struct. The Candid field names are the member names.
template <class T>
concept CandidRecord = requires { cdk_record_fields(static_cast<const T*>(nullptr)); };

namespace detail {
template <class T, class M>
struct Member {
  const char* name;
  M T::*member;
};
template <class T>
struct StructDesc {
  static constexpr auto members = cdk_record_fields(static_cast<const T*>(nullptr));
  static constexpr size_t N = std::tuple_size_v<std::remove_const_t<decltype(members)>>;
  static constexpr std::array<uint32_t, N> ids = []<size_t... I>(std::index_sequence<I...>) {
    return std::array<uint32_t, N>{field_id(std::get<I>(members).name)...};
  }(std::make_index_sequence<N>{});
  template <size_t I>
  using Member = std::remove_cvref_t<decltype(static_cast<T*>(nullptr)->*(std::get<I>(members).member))>;
  template <size_t I>
  static auto& get(T& v) { return v.*(std::get<I>(members).member); }
  template <size_t I>
  static const auto& get(const T& v) { return v.*(std::get<I>(members).member); }
  static void label(std::string& s, size_t i) {
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((i == I ? (s += std::get<I>(members).name, void()) : void()), ...);
    }(std::make_index_sequence<N>{});
    s += " : ";
  }
};
template <class... Ts>
struct TupleDesc {
  static constexpr size_t N = sizeof...(Ts);
  static constexpr std::array<uint32_t, N> ids = []<size_t... I>(std::index_sequence<I...>) {
    return std::array<uint32_t, N>{static_cast<uint32_t>(I)...};
  }(std::make_index_sequence<N>{});
  template <size_t I>
  using Member = std::tuple_element_t<I, std::tuple<Ts...>>;
  template <size_t I>
  static auto& get(std::tuple<Ts...>& v) { return std::get<I>(v); }
  template <size_t I>
  static const auto& get(const std::tuple<Ts...>& v) { return std::get<I>(v); }
  static void label(std::string&, size_t) {}
};
}  // namespace detail

template <CandidRecord T>
struct CandidType<T> : detail::RecordCodec<detail::StructDesc<T>, T> {
  static constexpr bool null_like = false;
};
template <class... Ts>
struct CandidType<std::tuple<Ts...>> : detail::RecordCodec<detail::TupleDesc<Ts...>, std::tuple<Ts...>> {
  static constexpr bool null_like = false;
};

// Variant alternative names are template arguments: cdk::Variant<cdk::Alt<"Active">, cdk::Alt<"Full", nat64>>.
template <size_t N>
struct Label {
  char chars[N]{};
  constexpr Label(const char (&s)[N]) {
    for (size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  constexpr std::string_view view() const { return std::string_view(chars, N - 1); }
};

template <Label L, class T = Null>
struct Alt {
  using type = T;
  static constexpr std::string_view name = L.view();
};

[[noreturn]] void trap(std::string_view message);

template <class... Alts>
class Variant {
 public:
  using cdk_variant = Variant;
  using Storage = std::variant<typename Alts::type...>;
  static constexpr size_t kSize = sizeof...(Alts);
  static constexpr std::array<std::string_view, kSize> names{Alts::name...};
  static constexpr std::array<uint32_t, kSize> ids{field_id(Alts::name)...};
  static_assert(detail::ids_distinct(ids), "two variant alternatives hash to the same Candid field id");

  template <Label L>
  static constexpr size_t index_of() {
    for (size_t i = 0; i < kSize; ++i)
      if (names[i] == L.view()) return i;
    return kSize;
  }

  Variant() = default;
  template <Label L, class... A>
  static Variant make(A&&... args) {
    static_assert(index_of<L>() < kSize, "no such alternative");
    Variant v;
    v.value_.template emplace<index_of<L>()>(std::forward<A>(args)...);
    return v;
  }
  template <Label L>
  bool is() const {
    static_assert(index_of<L>() < kSize, "no such alternative");
    return value_.index() == index_of<L>();
  }
  template <Label L>
  auto& get() {
    if (!is<L>()) trap_wrong(L.view());
    return *std::get_if<index_of<L>()>(&value_);
  }
  template <Label L>
  const auto& get() const {
    if (!is<L>()) trap_wrong(L.view());
    return *std::get_if<index_of<L>()>(&value_);
  }
  size_t index() const { return value_.index(); }
  std::string_view name() const { return names[value_.index()]; }
  Storage& storage() { return value_; }
  const Storage& storage() const { return value_; }
  friend bool operator==(const Variant&, const Variant&) = default;

 private:
  [[noreturn]] void trap_wrong(std::string_view wanted) const {
    trap("variant holds " + std::string(name()) + ", not " + std::string(wanted));
  }
  Storage value_;
};

// variant { Ok : T; Err : E }, the usual result type of canister methods.
template <class T, class E>
struct Result : Variant<Alt<"Ok", T>, Alt<"Err", E>> {
  using Base = Variant<Alt<"Ok", T>, Alt<"Err", E>>;
  Result() = default;
  Result(Base b) : Base(std::move(b)) {}
  static Result ok(T v) { return Result(Base::template make<"Ok">(std::move(v))); }
  static Result err(E e) { return Result(Base::template make<"Err">(std::move(e))); }
  bool is_ok() const { return this->template is<"Ok">(); }
  T& value() { return this->template get<"Ok">(); }
  const T& value() const { return this->template get<"Ok">(); }
  E& error() { return this->template get<"Err">(); }
  const E& error() const { return this->template get<"Err">(); }
};

template <class T>
concept CandidVariant = requires { typename T::cdk_variant; } && std::is_base_of_v<typename T::cdk_variant, T>;

template <CandidVariant T>
struct CandidType<T> {
  using V = typename T::cdk_variant;
  static constexpr size_t N = V::kSize;
  static constexpr auto order = detail::order_by_id(V::ids);
  template <size_t I>
  using Alt = std::variant_alternative_t<I, typename V::Storage>;
  static constexpr bool null_like = false;

  template <class F>
  static bool at(size_t i, F&& f) {
    bool result = false;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((i == I ? (result = f(std::integral_constant<size_t, I>{}), void()) : void()), ...);
    }(std::make_index_sequence<N>{});
    return result;
  }

  static void text(std::string& s) {
    s += "variant {";
    [&]<size_t... P>(std::index_sequence<P...>) {
      ((s += P == 0 ? " " : "; ", s += V::names[order[P]],
        std::is_same_v<Alt<order[P]>, Null> ? void() : (s += " : ", CandidType<Alt<order[P]>>::text(s))),
       ...);
    }(std::make_index_sequence<N>{});
    s += " }";
  }
  static int32_t type(TypeWriter& w) {
    return w.composite(&detail::type_key<V>, [&](ic::Bytes& e) {
      detail::put_sleb(e, op::kVariant);
      detail::put_uleb(e, N);
      [&]<size_t... P>(std::index_sequence<P...>) {
        ((detail::put_uleb(e, V::ids[order[P]]), detail::put_sleb(e, CandidType<Alt<order[P]>>::type(w))), ...);
      }(std::make_index_sequence<N>{});
    });
  }
  // Every alternative the sender may use must exist here with a compatible type.
  static bool accepts(const Reader& r, int32_t w) {
    if (r.op(w) != op::kVariant) return false;
    for (const auto& f : r.fields(w)) {
      int i = find(f.id);
      if (i < 0) return false;
      if (r.op(f.type) == op::kEmpty) continue;  // empty <: anything (and that alternative cannot be sent)
      if (!at(static_cast<size_t>(i), [&](auto I) { return CandidType<Alt<I()>>::accepts(r, f.type); })) return false;
    }
    return true;
  }
  static void encode(ic::Bytes& out, const T& v) {
    size_t i = v.index();
    size_t position = 0;
    while (order[position] != i) ++position;
    detail::put_uleb(out, position);
    at(i, [&](auto I) {
      CandidType<Alt<I()>>::encode(out, *std::get_if<I()>(&v.storage()));
      return true;
    });
  }
  static bool decode(Reader& r, int32_t w, T& out) {
    uint64_t k;
    if (!r.charge(1) || !r.uleb(k)) return false;
    auto wire = r.fields(w);
    if (k >= wire.size())
      return r.fail("variant index " + std::to_string(k) + " out of range (" + std::to_string(wire.size()) +
                    " alternatives)");
    int i = find(wire[k].id);
    if (!r.enter()) return false;
    bool ok = at(static_cast<size_t>(i), [&](auto I) {
      auto& slot = static_cast<V&>(out).storage().template emplace<I()>();
      return CandidType<Alt<I()>>::decode(r, wire[k].type, slot);
    });
    r.leave();
    return ok;
  }

 private:
  static int find(uint32_t id) {
    for (size_t i = 0; i < N; ++i)
      if (V::ids[i] == id) return static_cast<int>(i);
    return -1;
  }
};

// Argument lists ("DIDL" messages).
template <class... Ts>
ic::Bytes encode_args(const Ts&... values) {
  TypeWriter w;
  std::array<int32_t, sizeof...(Ts)> types{CandidType<Ts>::type(w)...};
  ic::Bytes out;
  w.write_header(out, types);
  (CandidType<Ts>::encode(out, values), ...);
  return out;
}

// "(nat, opt text)"
template <class... Ts>
std::string args_text() {
  std::string s = "(";
  size_t i = 0;
  ((s += i++ ? ", " : "", CandidType<Ts>::text(s)), ...);
  return s + ")";
}
template <class T>
std::string type_text() {
  std::string s;
  CandidType<T>::text(s);
  return s;
}

namespace detail {
// One expected argument, type-erased so that the decoding driver (candid.cpp) is compiled once and each
// C++ type's codec once, however many method signatures use it.
struct ArgSlot {
  bool (*accepts)(const Reader&, int32_t);
  bool (*decode)(Reader&, int32_t, void*);
  void (*missing)(void*);  // null unless the type is null-like
  std::string (*text)();
  void* out;
};
template <class T>
ArgSlot arg_slot(T& out) {
  return ArgSlot{&CandidType<T>::accepts,
                 [](Reader& r, int32_t w, void* p) { return CandidType<T>::decode(r, w, *static_cast<T*>(p)); },
                 null_like_v<T> ? +[](void* p) { missing_value(*static_cast<T*>(p)); } : nullptr, &type_text<T>,
                 &out};
}
bool decode_slots(ic::ByteView msg, ArgSlot* slots, size_t count, std::string& error);
}  // namespace detail

// Decodes `msg` into `out` at the argument types Ts. Extra arguments are skipped; missing ones must be
// null-like. On failure, `error` says which argument and why.
template <class... Ts>
bool decode_args(ic::ByteView msg, std::tuple<Ts...>& out, std::string& error) {
  return std::apply(
      [&](Ts&... values) {
        detail::ArgSlot slots[sizeof...(Ts) + 1] = {detail::arg_slot(values)...};
        return detail::decode_slots(msg, slots, sizeof...(Ts), error);
      },
      out);
}

}  // namespace cdk

// CDK_RECORD(Type, field, ...): Type's members as a Candid record (up to 32 fields).
#define CDK_RECORD(Type, ...)                                                    \
  [[maybe_unused]] constexpr auto cdk_record_fields(const Type*) {               \
    return std::make_tuple(CDK_PP_FOR_EACH(CDK_RECORD_MEMBER_, Type, __VA_ARGS__)); \
  }
#define CDK_RECORD_MEMBER_(Type, f) \
  ::cdk::detail::Member<Type, decltype(Type::f)> { #f, &Type::f }

#define CDK_PP_CAT_(a, b) a##b
#define CDK_PP_CAT(a, b) CDK_PP_CAT_(a, b)
#define CDK_PP_NARG(...) \
  CDK_PP_NARG_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define CDK_PP_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, \
                     _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, N, ...)                                 \
  N
#define CDK_PP_FOR_EACH(m, T, ...) CDK_PP_CAT(CDK_PP_FE_, CDK_PP_NARG(__VA_ARGS__))(m, T, __VA_ARGS__)
#define CDK_PP_FE_1(m, T, a) m(T, a)
#define CDK_PP_FE_2(m, T, a, ...) m(T, a), CDK_PP_FE_1(m, T, __VA_ARGS__)
#define CDK_PP_FE_3(m, T, a, ...) m(T, a), CDK_PP_FE_2(m, T, __VA_ARGS__)
#define CDK_PP_FE_4(m, T, a, ...) m(T, a), CDK_PP_FE_3(m, T, __VA_ARGS__)
#define CDK_PP_FE_5(m, T, a, ...) m(T, a), CDK_PP_FE_4(m, T, __VA_ARGS__)
#define CDK_PP_FE_6(m, T, a, ...) m(T, a), CDK_PP_FE_5(m, T, __VA_ARGS__)
#define CDK_PP_FE_7(m, T, a, ...) m(T, a), CDK_PP_FE_6(m, T, __VA_ARGS__)
#define CDK_PP_FE_8(m, T, a, ...) m(T, a), CDK_PP_FE_7(m, T, __VA_ARGS__)
#define CDK_PP_FE_9(m, T, a, ...) m(T, a), CDK_PP_FE_8(m, T, __VA_ARGS__)
#define CDK_PP_FE_10(m, T, a, ...) m(T, a), CDK_PP_FE_9(m, T, __VA_ARGS__)
#define CDK_PP_FE_11(m, T, a, ...) m(T, a), CDK_PP_FE_10(m, T, __VA_ARGS__)
#define CDK_PP_FE_12(m, T, a, ...) m(T, a), CDK_PP_FE_11(m, T, __VA_ARGS__)
#define CDK_PP_FE_13(m, T, a, ...) m(T, a), CDK_PP_FE_12(m, T, __VA_ARGS__)
#define CDK_PP_FE_14(m, T, a, ...) m(T, a), CDK_PP_FE_13(m, T, __VA_ARGS__)
#define CDK_PP_FE_15(m, T, a, ...) m(T, a), CDK_PP_FE_14(m, T, __VA_ARGS__)
#define CDK_PP_FE_16(m, T, a, ...) m(T, a), CDK_PP_FE_15(m, T, __VA_ARGS__)
#define CDK_PP_FE_17(m, T, a, ...) m(T, a), CDK_PP_FE_16(m, T, __VA_ARGS__)
#define CDK_PP_FE_18(m, T, a, ...) m(T, a), CDK_PP_FE_17(m, T, __VA_ARGS__)
#define CDK_PP_FE_19(m, T, a, ...) m(T, a), CDK_PP_FE_18(m, T, __VA_ARGS__)
#define CDK_PP_FE_20(m, T, a, ...) m(T, a), CDK_PP_FE_19(m, T, __VA_ARGS__)
#define CDK_PP_FE_21(m, T, a, ...) m(T, a), CDK_PP_FE_20(m, T, __VA_ARGS__)
#define CDK_PP_FE_22(m, T, a, ...) m(T, a), CDK_PP_FE_21(m, T, __VA_ARGS__)
#define CDK_PP_FE_23(m, T, a, ...) m(T, a), CDK_PP_FE_22(m, T, __VA_ARGS__)
#define CDK_PP_FE_24(m, T, a, ...) m(T, a), CDK_PP_FE_23(m, T, __VA_ARGS__)
#define CDK_PP_FE_25(m, T, a, ...) m(T, a), CDK_PP_FE_24(m, T, __VA_ARGS__)
#define CDK_PP_FE_26(m, T, a, ...) m(T, a), CDK_PP_FE_25(m, T, __VA_ARGS__)
#define CDK_PP_FE_27(m, T, a, ...) m(T, a), CDK_PP_FE_26(m, T, __VA_ARGS__)
#define CDK_PP_FE_28(m, T, a, ...) m(T, a), CDK_PP_FE_27(m, T, __VA_ARGS__)
#define CDK_PP_FE_29(m, T, a, ...) m(T, a), CDK_PP_FE_28(m, T, __VA_ARGS__)
#define CDK_PP_FE_30(m, T, a, ...) m(T, a), CDK_PP_FE_29(m, T, __VA_ARGS__)
#define CDK_PP_FE_31(m, T, a, ...) m(T, a), CDK_PP_FE_30(m, T, __VA_ARGS__)
#define CDK_PP_FE_32(m, T, a, ...) m(T, a), CDK_PP_FE_31(m, T, __VA_ARGS__)
