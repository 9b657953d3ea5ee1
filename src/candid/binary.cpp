// Candid binary format (Candid.md "Binary format", "Deserialisation", "Coercion").
#include "candid/binary.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "ic/leb128.h"

namespace candid {

using ic::Errc;
using ic::Status;

namespace {

constexpr uint64_t kTypeCost = 16;                  // per func argument and per subtype-check step
constexpr uint64_t kValueCost = sizeof(Value);      // per decoded value: about the memory it takes
constexpr size_t kMaxPrincipalBytes = 29;           // IC interface spec "Principals"
constexpr uint32_t kMaxEncodeDepth = 1024;
// Opcodes below -24 are future types (Candid.md "Binary format": skipped by their length). They are
// kept in the wire table under this marker.
constexpr Op kFuture = static_cast<Op>(-25);

bool is_future(Op o) { return static_cast<int32_t>(o) < -24; }

size_t fixed_size(Op o) {
  switch (o) {
    case Op::Nat8: case Op::Int8: return 1;
    case Op::Nat16: case Op::Int16: return 2;
    case Op::Nat32: case Op::Int32: case Op::Float32: return 4;
    case Op::Nat64: case Op::Int64: case Op::Float64: return 8;
    default: return 0;
  }
}

std::string field_label(const Field& f) {
  return f.name.empty() ? "field " + std::to_string(f.id) : "field `" + f.name + "`";
}

std::string type_label(const TypeTable& t, TypeRef r) {
  Op o = t.op(r);
  std::string s = is_future(o) ? "future type" : op_name(o);
  if (r >= 0) s += " (type " + std::to_string(r) + ")";
  return s;
}

Value default_for_missing(Op o) {
  return o == Op::Opt ? Value::none() : o == Op::Reserved ? Value::reserved() : Value::null();
}

// ---------------------------------------------------------------------------------------------
// Decoding

struct Decoder {
  ic::ByteView in;
  const DecodeOptions& opt;
  size_t pos = 0;
  uint64_t cost = 0;
  uint32_t depth = 0;
  TypeTable wire;
  std::vector<TypeRef> wire_args;
  const TypeTable* exp = nullptr;  // == &wire when decoding at the wire types
  std::vector<int8_t> sized;       // per wire entry: -1 unknown, 1 a value takes >= 1 byte, 0 maybe not
  std::map<std::pair<TypeRef, TypeRef>, bool> sub_memo;
  // > 0 while decoding inside an opt, where a mismatch is usually recovered from: error context (the
  // path to the failure) is then not built, which would cost quadratic time in the nesting depth.
  uint32_t speculative = 0;

  Decoder(ic::ByteView msg, const DecodeOptions& o) : in(msg), opt(o) {}

  size_t remaining() const { return in.size() - pos; }

  ic::Error malformed(const std::string& what) const {
    return ic::make_error(Errc::decode, "Candid: " + what + " (at byte " + std::to_string(pos) + ")",
                          "the message is not valid Candid; was it produced by a Candid encoder?");
  }
  static ic::Error mismatch(const std::string& what) {
    return ic::make_error(Errc::type_mismatch, "Candid: " + what,
                          "the value does not fit the expected type; check the interface (.did) used");
  }
  ic::Error mismatch(TypeRef w, TypeRef e) const {
    return mismatch("expected " + type_label(*exp, e) + ", the message has " + type_label(wire, w));
  }

  template <class Label>
  Status where(Status st, Label label) const {
    if (speculative && st.error().code == Errc::type_mismatch) return st;
    return std::move(st).take_error().context(label());
  }

  Status charge(uint64_t units) {
    if (units > opt.max_cost - cost)
      return ic::make_error(Errc::limit,
                            "Candid: decoding cost limit of " + std::to_string(opt.max_cost) + " exceeded",
                            "the message is too large or too deeply nested; raise DecodeOptions::max_cost "
                            "if it is trusted");
    cost += units;
    return {};
  }
  Status charge_n(uint64_t n, uint64_t each) {
    if (each && n > (opt.max_cost - cost) / each) return charge(opt.max_cost - cost + 1);
    return charge(n * each);
  }

  struct Nest {
    uint32_t& d;
    explicit Nest(uint32_t& x) : d(++x) {}
    ~Nest() { --d; }
  };
  Status check_depth() const {
    if (depth > opt.max_depth)
      return ic::make_error(Errc::limit,
                            "Candid: nesting deeper than " + std::to_string(opt.max_depth) + " levels",
                            "the message (or its type) nests too deeply or recurses without consuming input");
    return {};
  }

  Status need(uint64_t n) const {
    if (n > remaining())
      return malformed("unexpected end of input: " + std::to_string(n) + " bytes needed, " +
                       std::to_string(remaining()) + " left");
    return {};
  }
  ic::Result<uint8_t> byte() {
    IC_CHECK(need(1));
    return in[pos++];
  }
  ic::Result<uint64_t> uleb() { return ic::read_uleb64(in, pos); }
  // A count of items that each take at least one byte: refuse counts the input cannot hold before
  // anything is allocated.
  ic::Result<uint64_t> count(const char* what) {
    IC_TRY(uint64_t n, uleb());
    if (n > remaining())
      return malformed(std::string(what) + " " + std::to_string(n) + " exceeds the remaining input");
    return n;
  }

  // ---- type table (Candid.md "Binary format": T, I) ----

  ic::Result<TypeRef> type_ref() {
    IC_TRY(int64_t r, ic::read_sleb64(in, pos));
    if (r >= 0) {
      if (static_cast<uint64_t>(r) >= wire.nodes.size())
        return malformed("type index " + std::to_string(r) + " out of range (the table has " +
                         std::to_string(wire.nodes.size()) + " entries)");
    } else if (!is_primitive_op(r)) {
      return malformed("opcode " + std::to_string(r) + " is not a primitive type (composite types must be "
                       "table entries)");
    }
    return static_cast<TypeRef>(r);
  }

  Status refs(std::vector<TypeRef>& out, const char* what) {
    IC_TRY(uint64_t n, count(what));
    IC_CHECK(charge_n(n, kTypeCost));
    out.reserve(n);
    for (uint64_t i = 0; i < n; ++i) {
      IC_TRY(TypeRef r, type_ref());
      out.push_back(r);
    }
    return {};
  }

  Status table_entry(TypeNode& n) {
    IC_TRY(int64_t op, ic::read_sleb64(in, pos));
    switch (op) {
      case static_cast<int64_t>(Op::Opt):
      case static_cast<int64_t>(Op::Vec): {
        n.op = static_cast<Op>(op);
        IC_TRY(n.inner, type_ref());
        return {};
      }
      case static_cast<int64_t>(Op::Record):
      case static_cast<int64_t>(Op::Variant): {
        n.op = static_cast<Op>(op);
        IC_TRY(uint64_t k, count("field count"));
        IC_CHECK(charge_n(k, sizeof(Field)));
        n.fields.reserve(k);
        for (uint64_t i = 0; i < k; ++i) {
          IC_TRY(uint64_t id, uleb());
          if (id > 0xffffffffu) return malformed("field id " + std::to_string(id) + " does not fit in 32 bits");
          if (i > 0 && id <= n.fields.back().id)
            return malformed("field ids are not strictly increasing (" + std::to_string(n.fields.back().id) +
                             " then " + std::to_string(id) + ")");
          IC_TRY(TypeRef t, type_ref());
          n.fields.push_back(field(static_cast<uint32_t>(id), t));
        }
        return {};
      }
      case static_cast<int64_t>(Op::Func): {
        n.op = Op::Func;
        IC_CHECK(refs(n.func.args, "func argument count"));
        IC_CHECK(refs(n.func.results, "func result count"));
        IC_TRY(uint64_t k, count("func annotation count"));
        for (uint64_t i = 0; i < k; ++i) {
          IC_TRY(uint8_t a, byte());
          if (a < 1 || a > 3) return malformed("unknown func annotation " + std::to_string(a));
          n.func.modes.push_back(static_cast<FuncMode>(a));
        }
        if (n.func.modes.size() > 1) return malformed("func type has more than one annotation");
        if (k == 1 && n.func.modes[0] == FuncMode::Oneway && !n.func.results.empty())
          return malformed("oneway func type has results");
        return {};
      }
      case static_cast<int64_t>(Op::Service): {
        n.op = Op::Service;
        IC_TRY(uint64_t k, count("method count"));
        IC_CHECK(charge_n(k, sizeof(Method)));
        n.methods.reserve(k);
        for (uint64_t i = 0; i < k; ++i) {
          IC_TRY(uint64_t len, uleb());
          IC_CHECK(need(len));
          std::string name(reinterpret_cast<const char*>(in.data() + pos), len);
          if (!valid_utf8(name)) return malformed("method name is not valid UTF-8");
          pos += len;
          if (i > 0 && !(n.methods.back().name < name))
            return malformed("method names are not sorted or not unique (`" + name + "`)");
          IC_TRY(TypeRef t, type_ref());
          n.methods.push_back(Method{std::move(name), t});
        }
        return {};
      }
      default:
        if (op < static_cast<int64_t>(Op::Principal)) {
          // Future type: a length-prefixed blob of type data we cannot interpret.
          IC_TRY(uint64_t len, uleb());
          IC_CHECK(need(len));
          pos += len;
          n.op = kFuture;
          return {};
        }
        return malformed("opcode " + std::to_string(op) + " cannot be a type table entry");
    }
  }

  Status header() {
    IC_CHECK(charge(in.size()));
    if (in.size() < 4 || std::memcmp(in.data(), "DIDL", 4) != 0)
      return ic::make_error(Errc::decode, "Candid: the message does not start with the magic bytes \"DIDL\"",
                            "the data is not a Candid message");
    pos = 4;
    IC_TRY(uint64_t n, count("type table length"));
    IC_CHECK(charge_n(n, sizeof(TypeNode)));
    wire.nodes.resize(n);  // sized first so that forward references can be range-checked
    for (uint64_t i = 0; i < n; ++i) {
      Status st = table_entry(wire.nodes[i]);
      if (!st) return std::move(st).take_error().context("type table entry " + std::to_string(i));
    }
    for (size_t i = 0; i < wire.nodes.size(); ++i)
      for (const Method& m : wire.nodes[i].methods)
        if (m.type < 0 || wire.node(m.type).op != Op::Func)
          return malformed("method `" + m.name + "` of type table entry " + std::to_string(i) +
                           " does not refer to a func type");
    IC_CHECK(refs(wire_args, "argument count"));
    sized.assign(wire.nodes.size(), -1);
    return {};
  }

  // Does every value of wire type w take at least one byte? (A lower bound: false is always safe.)
  // Vectors of such elements cannot be longer than the remaining input.
  bool is_sized(TypeRef w, uint32_t d = 0) {
    if (w < 0) return w != ref(Op::Null) && w != ref(Op::Reserved);
    int8_t& m = sized[static_cast<size_t>(w)];
    if (m >= 0) return m == 1;
    const TypeNode& n = wire.node(w);
    if (n.op != Op::Record) return (m = 1) == 1;
    if (d > opt.max_depth) return false;
    m = 0;  // in progress: assume zero-sized
    for (const Field& f : n.fields)
      if (is_sized(f.type, d + 1)) return (sized[static_cast<size_t>(w)] = 1) == 1;
    return false;
  }

  ic::Result<bool> subtype(TypeRef w, TypeRef e) {
    if (exp == &wire && w == e) return true;
    auto it = sub_memo.find({w, e});
    if (it != sub_memo.end()) return it->second;
    uint64_t steps = (opt.max_cost - cost) / kTypeCost, before = steps;
    auto r = check_subtype(wire, w, *exp, e, opt.max_depth, steps);
    IC_CHECK(charge((before - steps) * kTypeCost));
    if (!r) return std::move(r).take_error();
    sub_memo[{w, e}] = *r;
    return *r;
  }

  // ---- values (Candid.md "Binary format": M) ----

  Status skip_leb() {
    for (size_t k = 0;; ++k) {
      if (k == opt.max_number_bytes)
        return ic::make_error(Errc::limit, "Candid: number longer than " + std::to_string(k) + " bytes",
                              "the message is malformed or hostile (DecodeOptions::max_number_bytes)");
      IC_TRY(uint8_t b, byte());
      if (!(b & 0x80)) return {};
    }
  }

  ic::Result<ic::BigNat> nat() { return ic::read_uleb_big(in, pos, opt.max_number_bytes); }
  ic::Result<ic::BigInt> integer() { return ic::read_sleb_big(in, pos, opt.max_number_bytes); }

  uint64_t fixed(size_t size) {  // caller checked need(size)
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) v |= static_cast<uint64_t>(in[pos + i]) << (8 * i);
    pos += size;
    return v;
  }

  Status text(std::string* out) {
    IC_TRY(uint64_t len, uleb());
    IC_CHECK(need(len));
    std::string_view s(reinterpret_cast<const char*>(in.data() + pos), len);
    if (!valid_utf8(s)) return malformed("text is not valid UTF-8");
    if (out) out->assign(s);
    pos += len;
    return {};
  }

  // Principal bytes of a principal, service or func reference: 01 len bytes (00 = opaque reference).
  Status reference(ic::Bytes* out) {
    IC_TRY(uint8_t tag, byte());
    if (tag == 0)
      return ic::make_error(Errc::unsupported, "Candid: opaque reference (tag 0) is not supported",
                            "only transparent references (principal ids) occur on the IC");
    if (tag != 1) return malformed("reference tag must be 1, found " + std::to_string(tag));
    IC_TRY(uint64_t len, uleb());
    if (len > kMaxPrincipalBytes)
      return malformed("principal of " + std::to_string(len) + " bytes (at most 29 allowed)");
    IC_CHECK(need(len));
    if (out) out->assign(in.begin() + static_cast<std::ptrdiff_t>(pos), in.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
    return {};
  }

  Status func_ref(Value* out) {
    IC_TRY(uint8_t tag, byte());
    if (tag == 0)
      return ic::make_error(Errc::unsupported, "Candid: opaque func reference (tag 0) is not supported",
                            "only public methods of canisters can be referenced on the IC");
    if (tag != 1) return malformed("func reference tag must be 1, found " + std::to_string(tag));
    IC_CHECK(reference(out ? &out->bytes : nullptr));
    return text(out ? &out->text : nullptr);
  }

  // Reads and discards one value of wire type w, validating it as thoroughly as decoding would.
  Status skip(TypeRef w, bool prepaid = false) {
    if (!prepaid) IC_CHECK(charge(opt.skip_cost_multiplier));
    Nest nest(depth);
    IC_CHECK(check_depth());
    Op o = wire.op(w);
    if (size_t size = fixed_size(o)) {
      IC_CHECK(need(size));
      pos += size;
      return {};
    }
    switch (o) {
      case Op::Null:
      case Op::Reserved: return {};
      case Op::Empty: return malformed("a value of type empty cannot occur");
      case Op::Bool: {
        IC_TRY(uint8_t b, byte());
        if (b > 1) return malformed("bool must be 0 or 1, found " + std::to_string(b));
        return {};
      }
      case Op::Nat:
      case Op::Int: return skip_leb();
      case Op::Text: return text(nullptr);
      case Op::Principal:
      case Op::Service: return reference(nullptr);
      case Op::Func: return func_ref(nullptr);
      case Op::Opt: {
        IC_TRY(uint8_t flag, byte());
        if (flag > 1) return malformed("opt tag must be 0 or 1, found " + std::to_string(flag));
        return flag ? skip(wire.node(w).inner) : Status{};
      }
      case Op::Vec: {
        TypeRef wi = wire.node(w).inner;
        IC_TRY(uint64_t n, uleb());
        if (is_sized(wi) && n > remaining()) return malformed("vector length " + std::to_string(n) + " exceeds the remaining input");
        if (size_t size = fixed_size(wire.op(wi))) {
          IC_CHECK(need(n * size));  // n <= remaining, so no overflow
          pos += n * size;
          return {};
        }
        IC_CHECK(charge_n(n, opt.skip_cost_multiplier));
        for (uint64_t i = 0; i < n; ++i) IC_CHECK(skip(wi, true));
        return {};
      }
      case Op::Record:
        for (const Field& f : wire.node(w).fields) IC_CHECK(skip(f.type));
        return {};
      case Op::Variant: {
        const auto& fs = wire.node(w).fields;
        IC_TRY(uint64_t idx, uleb());
        if (idx >= fs.size()) return malformed("variant index " + std::to_string(idx) + " out of range");
        return skip(fs[idx].type);
      }
      default: {
        // Future type value: byte length, reference count, then the bytes.
        IC_TRY(uint64_t len, uleb());
        IC_TRY(uint64_t refs, uleb());
        (void)refs;
        IC_CHECK(need(len));
        pos += len;
        return {};
      }
    }
  }

  // Decodes one value of wire type w at expected type e (Candid.md "Coercion"). A type_mismatch error
  // is a coercion failure that an enclosing opt may recover from; every other error is final.
  Status coerce(TypeRef w, TypeRef e, Value& out, bool prepaid = false) {
    if (!prepaid) IC_CHECK(charge(kValueCost));
    Nest nest(depth);
    IC_CHECK(check_depth());
    Op wo = wire.op(w), eo = exp->op(e);
    if (wo == Op::Empty) return malformed("a value of type empty cannot occur");
    if (eo == Op::Reserved || is_future(eo)) {
      // reserved is the top type: the value is read and dropped.
      out = Value::reserved();
      return skip(w, true);
    }
    if (eo == Op::Opt) return coerce_opt(w, e, out);
    out.kind = eo;
    if (size_t size = fixed_size(eo)) {
      if (wo != eo) return mismatch(w, e);
      IC_CHECK(need(size));
      uint64_t v = fixed(size);
      switch (eo) {
        case Op::Float32: {
          float f;
          auto u = static_cast<uint32_t>(v);
          std::memcpy(&f, &u, 4);
          out.real = f;
          break;
        }
        case Op::Float64: std::memcpy(&out.real, &v, 8); break;
        case Op::Int8: out.integer = static_cast<int8_t>(v); break;
        case Op::Int16: out.integer = static_cast<int16_t>(v); break;
        case Op::Int32: out.integer = static_cast<int32_t>(v); break;
        case Op::Int64: out.integer = static_cast<int64_t>(v); break;
        default: out.nat = v;
      }
      return {};
    }
    switch (eo) {
      case Op::Null:
        return wo == Op::Null ? Status{} : Status(mismatch(w, e));
      case Op::Bool: {
        if (wo != Op::Bool) return mismatch(w, e);
        IC_TRY(uint8_t b, byte());
        if (b > 1) return malformed("bool must be 0 or 1, found " + std::to_string(b));
        out.boolean = b;
        return {};
      }
      case Op::Nat: {
        if (wo != Op::Nat) return mismatch(w, e);
        IC_TRY(ic::BigNat n, nat());
        out.number = ic::BigInt(std::move(n), false);
        return {};
      }
      case Op::Int: {
        if (wo == Op::Nat) {  // nat <: int
          IC_TRY(ic::BigNat n, nat());
          out.number = ic::BigInt(std::move(n), false);
          return {};
        }
        if (wo != Op::Int) return mismatch(w, e);
        IC_TRY(out.number, integer());
        return {};
      }
      case Op::Text:
        if (wo != Op::Text) return mismatch(w, e);
        return text(&out.text);
      case Op::Principal:
        // A service reference has the same encoding and is a principal (service <: principal).
        if (wo != Op::Principal && wo != Op::Service) return mismatch(w, e);
        return reference(&out.bytes);
      case Op::Empty:
        return mismatch(w, e);
      case Op::Vec:
        if (wo != Op::Vec) return mismatch(w, e);
        return coerce_vec(w, e, out);
      case Op::Record:
        if (wo != Op::Record) return mismatch(w, e);
        return coerce_record(w, e, out);
      case Op::Variant:
        if (wo != Op::Variant) return mismatch(w, e);
        return coerce_variant(w, e, out);
      case Op::Func:
      case Op::Service: {
        if (wo != eo) return mismatch(w, e);
        // References carry no value to coerce: the wire type itself must be a subtype.
        IC_TRY(bool ok, subtype(w, e));
        if (!ok) return mismatch(type_label(wire, w) + " in the message is not a subtype of the expected " +
                                 type_label(*exp, e));
        return eo == Op::Func ? func_ref(&out) : reference(&out.bytes);
      }
      default:
        return mismatch(w, e);
    }
  }

  // Candid.md "Coercion", options: null and reserved become null; `opt v` coerces v and becomes null
  // when v does not fit; any other value (the wire type is not null-like) is treated as `opt v`.
  Status coerce_opt(TypeRef w, TypeRef e, Value& out) {
    TypeRef ei = exp->node(e).inner;
    switch (wire.op(w)) {
      case Op::Null:
      case Op::Reserved:
        out = Value::none();
        return {};
      case Op::Opt: {
        IC_TRY(uint8_t flag, byte());
        if (flag > 1) return malformed("opt tag must be 0 or 1, found " + std::to_string(flag));
        if (flag == 0) {
          out = Value::none();
          return {};
        }
        return some_or_null(wire.node(w).inner, ei, out);
      }
      default:
        return some_or_null(w, ei, out);
    }
  }

  Status some_or_null(TypeRef w, TypeRef ei, Value& out) {
    size_t start = pos;
    Value inner;
    ++speculative;
    Status st = coerce(w, ei, inner);
    --speculative;
    if (st) {
      out = Value::some(std::move(inner));
      return {};
    }
    if (st.error().code != Errc::type_mismatch) return st;
    // The value does not fit: rewind, validate it by skipping, and produce null.
    pos = start;
    out = Value::none();
    return skip(w);
  }

  Status coerce_vec(TypeRef w, TypeRef e, Value& out) {
    TypeRef wi = wire.node(w).inner, ei = exp->node(e).inner;
    IC_TRY(uint64_t n, uleb());
    if (is_sized(wi) && n > remaining())
      return malformed("vector length " + std::to_string(n) + " exceeds the remaining input");
    bool to_bytes = exp->op(ei) == Op::Nat8;
    if (to_bytes && wire.op(wi) == Op::Nat8) {  // blob: the input bytes were paid for by the header
      out.bytes.assign(in.begin() + static_cast<std::ptrdiff_t>(pos), in.begin() + static_cast<std::ptrdiff_t>(pos + n));
      pos += n;
      return {};
    }
    IC_CHECK(charge_n(n, kValueCost));
    if (!to_bytes) out.items.resize(n);
    for (uint64_t i = 0; i < n; ++i) {
      Value scratch;
      Value& x = to_bytes ? scratch : out.items[i];
      Status st = coerce(wi, ei, x, true);
      if (!st) return where(std::move(st), [&] { return "vector element " + std::to_string(i); });
      if (to_bytes) out.bytes.push_back(static_cast<uint8_t>(x.nat));
    }
    return {};
  }

  Status coerce_record(TypeRef w, TypeRef e, Value& out) {
    const auto& wf = wire.node(w).fields;
    const auto& ef = exp->node(e).fields;
    out.fields.reserve(ef.size());
    auto missing = [&](const Field& f) -> Status {
      // A field absent from the message is fine only at a type that has null in it.
      if (!is_null_like(*exp, f.type))
        return mismatch("record has no " + field_label(f) + " of type " + type_label(*exp, f.type));
      out.fields.push_back(FieldValue{f.id, default_for_missing(exp->op(f.type))});
      return {};
    };
    size_t j = 0;
    for (const Field& f : wf) {
      while (j < ef.size() && ef[j].id < f.id) IC_CHECK(missing(ef[j++]));
      if (j < ef.size() && ef[j].id == f.id) {
        out.fields.push_back(FieldValue{f.id, Value()});
        Status st = coerce(f.type, ef[j].type, out.fields.back().value);
        if (!st) return where(std::move(st), [&] { return field_label(ef[j]); });
        ++j;
      } else {
        IC_CHECK(skip(f.type));  // a field the expected type does not know
      }
    }
    while (j < ef.size()) IC_CHECK(missing(ef[j++]));
    return {};
  }

  Status coerce_variant(TypeRef w, TypeRef e, Value& out) {
    const auto& wf = wire.node(w).fields;
    const auto& ef = exp->node(e).fields;
    IC_TRY(uint64_t idx, uleb());
    if (idx >= wf.size())
      return malformed("variant index " + std::to_string(idx) + " out of range (" + std::to_string(wf.size()) +
                       " cases)");
    const Field& f = wf[idx];
    auto it = std::lower_bound(ef.begin(), ef.end(), f.id, [](const Field& x, uint32_t id) { return x.id < id; });
    if (it == ef.end() || it->id != f.id)
      return mismatch("variant case " + std::to_string(f.id) + " is not in the expected " + type_label(*exp, e));
    out.fields.push_back(FieldValue{f.id, Value()});
    Status st = coerce(f.type, it->type, out.fields.back().value);
    if (!st) return where(std::move(st), [&] { return "variant " + field_label(*it); });
    return {};
  }

  // The wire table as returned to the caller: future types become reserved.
  void sanitize() {
    auto fix = [&](TypeRef& r) {
      if (r >= 0 && is_future(wire.node(r).op)) r = ref(Op::Reserved);
    };
    for (TypeRef& r : wire_args) fix(r);
    for (TypeNode& n : wire.nodes) {
      fix(n.inner);
      for (auto& f : n.fields) fix(f.type);
      for (auto& a : n.func.args) fix(a);
      for (auto& a : n.func.results) fix(a);
    }
    for (TypeNode& n : wire.nodes)
      if (is_future(n.op)) n = TypeNode{};  // unreachable placeholder (an empty record) keeps indices stable
  }
};

// ---------------------------------------------------------------------------------------------
// Encoding (and checking: with out == nullptr nothing is written)

struct Encoder {
  const TypeTable& t;
  ic::Bytes* out;
  uint32_t depth = 0;

  void put(uint8_t b) {
    if (out) out->push_back(b);
  }
  void put(const uint8_t* p, size_t n) {
    if (out) out->insert(out->end(), p, p + n);
  }
  void uleb(uint64_t v) {
    if (out) ic::write_uleb(*out, v);
  }
  void sleb(int64_t v) {
    if (out) ic::write_sleb(*out, v);
  }
  void le(uint64_t v, size_t size) {
    for (size_t i = 0; i < size; ++i) put(static_cast<uint8_t>(v >> (8 * i)));
  }

  static ic::Error unfit(const std::string& what) {
    return ic::make_error(Errc::type_mismatch, "Candid: " + what, "the value does not fit its type");
  }

  Status reference(const ic::Bytes& p) {
    if (p.size() > kMaxPrincipalBytes)
      return unfit("principal of " + std::to_string(p.size()) + " bytes (at most 29 allowed)");
    put(1);
    uleb(p.size());
    put(p.data(), p.size());
    return {};
  }
  Status text(const std::string& s) {
    if (!valid_utf8(s)) return unfit("text is not valid UTF-8");
    uleb(s.size());
    put(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    return {};
  }

  Status value(TypeRef r, const Value& v) {
    if (depth >= kMaxEncodeDepth)
      return ic::make_error(Errc::limit, "Candid: value nests deeper than " + std::to_string(kMaxEncodeDepth) +
                                             " levels", "no decoder would accept it");
    ++depth;
    Status st = value_inner(r, v);
    --depth;
    return st;
  }

  Status value_inner(TypeRef r, const Value& v) {
    Op o = t.op(r);
    if (o == Op::Reserved) return {};  // any value fits reserved; nothing is sent
    if (o == Op::Empty) return unfit("no value has type empty");
    bool kind_ok = v.kind == o || (o == Op::Int && v.kind == Op::Nat) ||
                   (o == Op::Principal && v.kind == Op::Service) || (o == Op::Service && v.kind == Op::Principal);
    if (!kind_ok) return unfit(std::string("expected a ") + op_name(o) + " value, found " + op_name(v.kind));
    if (size_t size = fixed_size(o)) {
      uint64_t bits = 0;
      switch (o) {
        case Op::Float32: {
          auto f = static_cast<float>(v.real);
          uint32_t u;
          std::memcpy(&u, &f, 4);
          bits = u;
          break;
        }
        case Op::Float64: std::memcpy(&bits, &v.real, 8); break;
        case Op::Int8: case Op::Int16: case Op::Int32: case Op::Int64: {
          int64_t lim = size == 8 ? INT64_MAX : (int64_t{1} << (8 * size - 1)) - 1;
          if (v.integer > lim || v.integer < -lim - 1)
            return unfit(std::to_string(v.integer) + " does not fit " + op_name(o));
          bits = static_cast<uint64_t>(v.integer);
          break;
        }
        default:
          if (size < 8 && v.nat >> (8 * size)) return unfit(std::to_string(v.nat) + " does not fit " + op_name(o));
          bits = v.nat;
      }
      le(bits, size);
      return {};
    }
    switch (o) {
      case Op::Null: return {};
      case Op::Bool: put(v.boolean ? 1 : 0); return {};
      case Op::Nat:
        if (v.number.negative()) return unfit("negative number " + v.number.to_decimal() + " is not a nat");
        if (out) ic::write_uleb(*out, v.number.magnitude());
        return {};
      case Op::Int:
        if (out) ic::write_sleb(*out, v.number);
        return {};
      case Op::Text: return text(v.text);
      case Op::Principal:
      case Op::Service: return reference(v.bytes);
      case Op::Func:
        put(1);
        IC_CHECK(reference(v.bytes));
        return text(v.text);
      case Op::Opt:
        if (v.items.size() > 1) return unfit("opt value holds more than one value");
        put(v.items.empty() ? 0 : 1);
        return v.items.empty() ? Status{} : value(t.node(r).inner, v.items[0]);
      case Op::Vec: {
        TypeRef inner = t.node(r).inner;
        if (v.items.empty()) {  // a blob (or the empty vector)
          Op io = t.op(inner);
          if (!v.bytes.empty() && io != Op::Nat8 && io != Op::Reserved)
            return unfit(std::string("a vector of nat8 does not fit vec ") + op_name(io));
          uleb(v.bytes.size());
          if (io == Op::Nat8) put(v.bytes.data(), v.bytes.size());
          return {};
        }
        if (!v.bytes.empty()) return unfit("vector value holds both items and bytes");
        uleb(v.items.size());
        for (size_t i = 0; i < v.items.size(); ++i) {
          Status st = value(inner, v.items[i]);
          if (!st) return std::move(st).take_error().context("vector element " + std::to_string(i));
        }
        return {};
      }
      case Op::Record: {
        const auto& tf = t.node(r).fields;
        for (size_t k = 1; k < v.fields.size(); ++k)
          if (v.fields[k - 1].id >= v.fields[k].id) return unfit("record value fields are not sorted by id");
        size_t j = 0;
        for (const Field& f : tf) {
          if (j < v.fields.size() && v.fields[j].id < f.id)
            return unfit("record value has field " + std::to_string(v.fields[j].id) + " that its type lacks");
          if (j < v.fields.size() && v.fields[j].id == f.id) {
            Status st = value(f.type, v.fields[j++].value);
            if (!st) return std::move(st).take_error().context(field_label(f));
          } else if (is_null_like(t, f.type)) {
            if (t.op(f.type) == Op::Opt) put(0);  // a missing optional field is sent as null
          } else {
            return unfit("record value lacks " + field_label(f));
          }
        }
        if (j < v.fields.size())
          return unfit("record value has field " + std::to_string(v.fields[j].id) + " that its type lacks");
        return {};
      }
      case Op::Variant: {
        if (v.fields.size() != 1) return unfit("variant value must hold exactly one case");
        const auto& tf = t.node(r).fields;
        uint32_t id = v.fields[0].id;
        auto it = std::lower_bound(tf.begin(), tf.end(), id, [](const Field& x, uint32_t i) { return x.id < i; });
        if (it == tf.end() || it->id != id) return unfit("variant case " + std::to_string(id) + " is not in its type");
        uleb(static_cast<uint64_t>(it - tf.begin()));
        Status st = value(it->type, v.fields[0].value);
        if (!st) return std::move(st).take_error().context("variant " + field_label(*it));
        return {};
      }
      default:
        return unfit(std::string("cannot encode type ") + op_name(o));
    }
  }
};

}  // namespace

ic::Result<Args> decode(ic::ByteView msg, const TypeTable* expected_table, const std::vector<TypeRef>* expected_types,
                        const DecodeOptions& opts) {
  Decoder d(msg, opts);
  TypeTable no_types;
  if (expected_types) {
    if (!expected_table) expected_table = &no_types;
    Status st = validate(*expected_table, *expected_types);
    if (!st) return std::move(st).take_error().context("Candid: expected types");
  }
  IC_CHECK(d.header());
  Args result;
  if (!expected_types) {
    d.exp = &d.wire;
    result.values.resize(d.wire_args.size());
    for (size_t i = 0; i < d.wire_args.size(); ++i) {
      Status st = d.coerce(d.wire_args[i], d.wire_args[i], result.values[i]);
      if (!st) return std::move(st).take_error().context("argument " + std::to_string(i));
    }
  } else {
    d.exp = expected_table;
    const auto& et = *expected_types;
    result.values.resize(et.size());
    for (size_t i = 0; i < et.size(); ++i) {
      Status st;
      if (i < d.wire_args.size()) {
        st = d.coerce(d.wire_args[i], et[i], result.values[i]);
      } else if (is_null_like(*expected_table, et[i])) {
        result.values[i] = default_for_missing(expected_table->op(et[i]));  // missing trailing argument
      } else {
        st = Decoder::mismatch("the message has " + std::to_string(d.wire_args.size()) +
                               " arguments, argument " + std::to_string(i) + " of type " +
                               type_label(*expected_table, et[i]) + " is missing");
      }
      if (!st) return std::move(st).take_error().context("argument " + std::to_string(i));
    }
    for (size_t i = et.size(); i < d.wire_args.size(); ++i) {  // extra arguments are read and ignored
      Status st = d.skip(d.wire_args[i]);
      if (!st) return std::move(st).take_error().context("argument " + std::to_string(i));
    }
  }
  if (d.pos != msg.size())
    return d.malformed(std::to_string(msg.size() - d.pos) + " bytes left over after the last value");
  if (expected_types) {
    result.table = *expected_table;
    result.types = *expected_types;
  } else {
    d.sanitize();
    result.table = std::move(d.wire);
    result.types = std::move(d.wire_args);
  }
  return result;
}

ic::Result<ic::Bytes> encode(const TypeTable& table, const std::vector<TypeRef>& types,
                             const std::vector<Value>& values) {
  IC_CHECK(validate(table, types));
  if (types.size() != values.size())
    return ic::make_error(Errc::invalid_input,
                          "Candid: " + std::to_string(types.size()) + " types for " + std::to_string(values.size()) +
                              " values", "pass one type per value");
  // Type table: the composite types reachable from the arguments, numbered breadth-first in order of
  // first appearance, so the output is deterministic and recursion maps to recursion.
  std::vector<TypeRef> index(table.nodes.size(), -1), order;
  auto visit = [&](TypeRef r) {
    if (r >= 0 && index[static_cast<size_t>(r)] < 0) {
      index[static_cast<size_t>(r)] = static_cast<TypeRef>(order.size());
      order.push_back(r);
    }
    return r < 0 ? r : index[static_cast<size_t>(r)];
  };
  for (TypeRef r : types) visit(r);
  ic::Bytes out = {'D', 'I', 'D', 'L'};
  std::vector<ic::Bytes> entries;
  for (size_t qi = 0; qi < order.size(); ++qi) {
    const TypeNode& n = table.node(order[qi]);
    ic::Bytes e;
    ic::write_sleb(e, static_cast<int64_t>(n.op));
    switch (n.op) {
      case Op::Opt:
      case Op::Vec: ic::write_sleb(e, visit(n.inner)); break;
      case Op::Record:
      case Op::Variant:
        ic::write_uleb(e, n.fields.size());
        for (const Field& f : n.fields) {
          ic::write_uleb(e, f.id);
          ic::write_sleb(e, visit(f.type));
        }
        break;
      case Op::Func:
        ic::write_uleb(e, n.func.args.size());
        for (TypeRef a : n.func.args) ic::write_sleb(e, visit(a));
        ic::write_uleb(e, n.func.results.size());
        for (TypeRef a : n.func.results) ic::write_sleb(e, visit(a));
        ic::write_uleb(e, n.func.modes.size());
        for (FuncMode m : n.func.modes) e.push_back(static_cast<uint8_t>(m));
        break;
      case Op::Service:
        ic::write_uleb(e, n.methods.size());
        for (const Method& m : n.methods) {
          ic::write_uleb(e, m.name.size());
          e.insert(e.end(), m.name.begin(), m.name.end());
          ic::write_sleb(e, visit(m.type));
        }
        break;
      default: break;  // validate() admits composite opcodes only
    }
    entries.push_back(std::move(e));
  }
  ic::write_uleb(out, entries.size());
  for (const auto& e : entries) out.insert(out.end(), e.begin(), e.end());
  ic::write_uleb(out, types.size());
  for (TypeRef r : types) ic::write_sleb(out, r < 0 ? r : index[static_cast<size_t>(r)]);
  Encoder enc{table, &out};
  for (size_t i = 0; i < values.size(); ++i) {
    Status st = enc.value(types[i], values[i]);
    if (!st) return std::move(st).take_error().context("argument " + std::to_string(i));
  }
  return out;
}

ic::Status check_value(const TypeTable& table, TypeRef r, const Value& v) {
  IC_CHECK(validate(table, {r}));
  Encoder enc{table, nullptr};
  return enc.value(r, v);
}

}  // namespace candid
