// The non-template half of the typed Candid codec: the message reader (header, type table, skipping) and
// the LEB128 / text / principal writers. Candid.md "Binary format".
#include "cdk/candid.h"

#include "ic/leb128.h"

namespace cdk {

namespace {

constexpr size_t kMaxNumberBytes = 128;  // nat/int LEB128 encodings longer than this are refused

bool is_primitive(int64_t t) { return (t <= -1 && t >= -17) || t == op::kPrincipal; }

const char* primitive_name(int32_t t) {
  static const char* const names[] = {"null", "bool", "nat", "int", "nat8", "nat16", "nat32", "nat64", "int8",
                                      "int16", "int32", "int64", "float32", "float64", "text", "reserved", "empty"};
  if (t == op::kPrincipal) return "principal";
  if (t <= -1 && t >= -17) return names[-t - 1];
  return "?";
}

// Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF (Candid text).
bool valid_utf8(ic::ByteView s) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07, min = 0x10000;
    else return false;
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

Reader::Reader(ic::ByteView msg) : msg_(msg), budget_((uint64_t{1} << 20) + 8 * uint64_t{msg.size()}) {
  parse_header();
}

bool Reader::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message) + " (at byte " + std::to_string(pos_) + ")";
  return false;
}

bool Reader::charge(uint64_t units) {
  if (units > budget_) return fail("the message is too costly to decode (a vector or nesting too large)");
  budget_ -= units;
  return true;
}

bool Reader::enter() {
  if (++depth_ > kMaxDepth) return fail("values nest deeper than " + std::to_string(kMaxDepth));
  return true;
}

bool Reader::byte(uint8_t& out) {
  if (pos_ >= msg_.size()) return fail("unexpected end of message");
  out = msg_[pos_++];
  return true;
}

bool Reader::bytes(void* dst, size_t n) {
  if (msg_.size() - pos_ < n) return fail("unexpected end of message");
  std::memcpy(dst, msg_.data() + pos_, n);
  pos_ += n;
  return true;
}

bool Reader::view(size_t n, ic::ByteView& out) {
  if (msg_.size() - pos_ < n) return fail("length " + std::to_string(n) + " runs past the end of the message");
  out = msg_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::uleb(uint64_t& out) {
  auto r = ic::read_uleb64(msg_, pos_);
  if (!r.ok()) return fail(r.error().message);
  out = *r;
  return true;
}

bool Reader::nat(ic::BigNat& out) {
  auto r = ic::read_uleb_big(msg_, pos_, kMaxNumberBytes);
  if (!r.ok()) return fail(r.error().message);
  out = std::move(r).value();
  return true;
}

bool Reader::integer(ic::BigInt& out, bool from_nat) {
  if (from_nat) {
    ic::BigNat n;
    if (!nat(n)) return false;
    out = ic::BigInt(std::move(n), false);
    return true;
  }
  auto r = ic::read_sleb_big(msg_, pos_, kMaxNumberBytes);
  if (!r.ok()) return fail(r.error().message);
  out = std::move(r).value();
  return true;
}

bool Reader::nat128(unsigned __int128& out) {
  out = 0;
  for (unsigned shift = 0, count = 0;; shift += 7, ++count) {
    uint8_t b = 0;
    if (count == kMaxNumberBytes) return fail("nat encoding longer than " + std::to_string(kMaxNumberBytes) + " bytes");
    if (!byte(b)) return false;
    unsigned __int128 payload = b & 0x7f;
    if (payload != 0) {
      if (shift >= 128 || (shift > 121 && (payload >> (128 - shift)) != 0))
        return fail("nat does not fit in 128 bits");
      out |= payload << shift;
    }
    if (!(b & 0x80)) return true;
  }
}

bool Reader::int128(__int128& out, bool from_nat) {
  if (from_nat) {
    unsigned __int128 u;
    if (!nat128(u)) return false;
    if (u >> 127) return fail("int does not fit in 128 bits");
    out = static_cast<__int128>(u);
    return true;
  }
  ic::BigInt v;
  if (!integer(v, false)) return false;
  ic::Bytes mag = v.magnitude().to_bytes_le();
  unsigned __int128 m = 0;
  if (mag.size() > 16) return fail("int does not fit in 128 bits");
  for (size_t i = mag.size(); i-- > 0;) m = (m << 8) | mag[i];
  unsigned __int128 limit = (static_cast<unsigned __int128>(1) << 127) - (v.negative() ? 0 : 1);
  if (m > limit) return fail("int does not fit in 128 bits");
  out = v.negative() ? static_cast<__int128>(0 - m) : static_cast<__int128>(m);
  return true;
}

bool Reader::text(std::string& out) {
  uint64_t n;
  ic::ByteView b;
  if (!uleb(n) || !view(n, b)) return false;
  if (!valid_utf8(b)) return fail("text is not valid UTF-8");
  out.assign(b.begin(), b.end());
  return true;
}

bool Reader::principal(ic::Principal& out) {
  uint8_t flag;
  uint64_t n;
  ic::ByteView b;
  if (!byte(flag)) return false;
  if (flag != 1) return fail("opaque principal references (flag " + std::to_string(flag) + ") are not supported");
  if (!uleb(n) || !view(n, b)) return false;
  auto p = ic::Principal::from_bytes(b);
  if (!p.ok()) return fail("principal of " + std::to_string(n) + " bytes (at most 29)");
  out = std::move(p).value();
  return true;
}

bool Reader::type_ref(int64_t& out) {
  if (!sleb(out)) return false;
  if (out >= 0 ? static_cast<uint64_t>(out) >= table_size_ : !is_primitive(out))
    return fail("type reference " + std::to_string(out) + " is neither a primitive type nor a table entry");
  return true;
}

bool Reader::sleb(int64_t& out) {
  auto r = ic::read_sleb64(msg_, pos_);
  if (!r.ok()) return fail(r.error().message);
  out = *r;
  return true;
}

bool Reader::parse_header() {
  if (msg_.size() < 4 || std::memcmp(msg_.data(), "DIDL", 4) != 0)
    return fail("not a Candid message (it does not start with \"DIDL\")");
  pos_ = 4;
  uint64_t n;
  if (!uleb(n)) return false;
  // Every entry takes at least one byte, which bounds the table by the message size.
  if (n > msg_.size() - pos_) return fail("type table of " + std::to_string(n) + " entries is longer than the message");
  entries_.reserve(n);
  table_size_ = n;
  std::vector<int64_t> method_types;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t o, t;
    uint64_t m;
    if (!sleb(o)) return false;
    Entry e{static_cast<int32_t>(o), 0, 0, 0};
    switch (o) {
      case op::kOpt:
      case op::kVec:
        if (!type_ref(t)) return false;
        e.inner = static_cast<int32_t>(t);
        break;
      case op::kRecord:
      case op::kVariant: {
        if (!uleb(m)) return false;
        if (m > msg_.size() - pos_) return fail("field count " + std::to_string(m) + " is longer than the message");
        e.first = static_cast<uint32_t>(fields_.size());
        e.count = static_cast<uint32_t>(m);
        for (uint64_t k = 0; k < m; ++k) {
          uint64_t id;
          if (!uleb(id) || !type_ref(t)) return false;
          if (id > 0xffffffffu) return fail("field id " + std::to_string(id) + " exceeds 32 bits");
          if (k > 0 && id <= fields_.back().id) return fail("field ids of type table entry " + std::to_string(i) +
                                                            " are not strictly increasing");
          fields_.push_back({static_cast<uint32_t>(id), static_cast<int32_t>(t)});
        }
        break;
      }
      case op::kFunc:
        for (int list = 0; list < 2; ++list) {  // argument and result types
          if (!uleb(m)) return false;
          for (uint64_t k = 0; k < m; ++k)
            if (!type_ref(t)) return false;
        }
        if (!uleb(m)) return false;
        for (uint64_t k = 0; k < m; ++k) {
          uint8_t mode;
          if (!byte(mode)) return false;
          if (mode < 1 || mode > 3) return fail("unknown func annotation " + std::to_string(mode));
        }
        break;
      case op::kService:
        if (!uleb(m)) return false;
        for (uint64_t k = 0; k < m; ++k) {
          uint64_t len;
          ic::ByteView name;
          if (!uleb(len) || !view(len, name) || !type_ref(t)) return false;
          if (!valid_utf8(name)) return fail("method name is not valid UTF-8");
          method_types.push_back(t);
        }
        break;
      default:
        return fail("type table entry " + std::to_string(i) + " has opcode " + std::to_string(o) +
                    ", which is not a composite type");
    }
    entries_.push_back(e);
  }
  for (int64_t t : method_types)
    if (op(static_cast<int32_t>(t)) != op::kFunc) return fail("a service method whose type is not a func");
  uint64_t count;
  if (!uleb(count)) return false;
  if (count > msg_.size() - pos_ + 1) return fail("argument count " + std::to_string(count) + " is longer than the message");
  for (uint64_t k = 0; k < count; ++k) {
    int64_t t;
    if (!type_ref(t)) return false;
    args_.push_back(static_cast<int32_t>(t));
  }
  return true;
}

bool Reader::skip_leb() {
  for (size_t count = 0;; ++count) {
    uint8_t b = 0;
    if (count == kMaxNumberBytes) return fail("number encoding longer than " + std::to_string(kMaxNumberBytes) + " bytes");
    if (!byte(b)) return false;
    if (!(b & 0x80)) return true;
  }
}

bool Reader::skip_blob() {
  uint64_t n;
  ic::ByteView b;
  return uleb(n) && view(n, b);
}

bool Reader::skip(int32_t t) {
  if (!charge(1) || !enter()) return false;
  bool ok = true;
  uint8_t b = 0;
  switch (op(t)) {
    case op::kNull:
    case op::kReserved:
      break;
    case op::kBool:
      ok = byte(b) && (b <= 1 || fail("bool byte " + std::to_string(b) + " is neither 0 nor 1"));
      break;
    case op::kNat:
    case op::kInt:
      ok = skip_leb();
      break;
    case op::kNat8:
    case op::kInt8:
      ok = byte(b);
      break;
    case op::kNat16:
    case op::kInt16: {
      ic::ByteView v;
      ok = view(2, v);
      break;
    }
    case op::kNat32:
    case op::kInt32:
    case op::kFloat32: {
      ic::ByteView v;
      ok = view(4, v);
      break;
    }
    case op::kNat64:
    case op::kInt64:
    case op::kFloat64: {
      ic::ByteView v;
      ok = view(8, v);
      break;
    }
    case op::kText: {
      std::string s;
      ok = text(s);
      break;
    }
    case op::kEmpty:
      ok = fail("a value of type empty cannot exist");
      break;
    case op::kPrincipal:
    case op::kService:
      ok = byte(b) && (b == 1 || fail("opaque references are not supported")) && skip_blob();
      break;
    case op::kFunc: {
      std::string method;
      ok = byte(b) && (b == 1 || fail("opaque references are not supported")) && byte(b) &&
           (b == 1 || fail("opaque references are not supported")) && skip_blob() && text(method);
      break;
    }
    case op::kOpt:
      ok = byte(b) && (b <= 1 || fail("opt flag byte " + std::to_string(b) + " is neither 0 nor 1")) &&
           (b == 0 || skip(inner(t)));
      break;
    case op::kVec: {
      uint64_t n;
      ok = uleb(n) && charge(n);
      int32_t item = inner(t);
      if (ok && (op(item) == op::kNat8 || op(item) == op::kInt8)) {  // blobs: one bounds check
        ic::ByteView v;
        ok = view(n, v);
        break;
      }
      for (uint64_t i = 0; ok && i < n; ++i) ok = skip(item);
      break;
    }
    case op::kRecord:
      for (const Field& f : fields(t))
        if (!(ok = skip(f.type))) break;
      break;
    case op::kVariant: {
      uint64_t k;
      auto fs = fields(t);
      ok = uleb(k) && (k < fs.size() || fail("variant index " + std::to_string(k) + " out of range")) &&
           skip(fs[k].type);
      break;
    }
    default:
      ok = fail("cannot skip a value of opcode " + std::to_string(op(t)));
  }
  leave();
  return ok;
}

std::string Reader::type_text(int32_t t, int depth) const {
  if (t < 0) return primitive_name(t);
  if (depth > 3) return "…";
  std::string s;
  switch (op(t)) {
    case op::kOpt:
      return "opt " + type_text(inner(t), depth + 1);
    case op::kVec:
      return op(inner(t)) == op::kNat8 ? "blob" : "vec " + type_text(inner(t), depth + 1);
    case op::kRecord:
    case op::kVariant: {
      s = op(t) == op::kRecord ? "record {" : "variant {";
      const char* sep = " ";
      for (const Field& f : fields(t)) {
        s += sep + std::to_string(f.id) + " : " + type_text(f.type, depth + 1);
        sep = "; ";
      }
      return s + (fields(t).empty() ? "}" : " }");
    }
    case op::kFunc:
      return "func";
    case op::kService:
      return "service";
  }
  return "?";
}

namespace detail {

bool decode_slots(ic::ByteView msg, ArgSlot* slots, size_t count, std::string& error) {
  Reader r(msg);
  if (!r.ok()) {
    error = r.error();
    return false;
  }
  // Types first (Candid.md "Deserialisation": the whole message must fit the expected types).
  for (size_t i = 0; i < count; ++i) {
    if (i < r.arg_count()) {
      if (!slots[i].accepts(r, r.arg_type(i))) {
        error = "argument " + std::to_string(i + 1) + ": expected " + slots[i].text() + ", got " +
                r.type_text(r.arg_type(i));
        return false;
      }
    } else if (!slots[i].missing) {
      error = "argument " + std::to_string(i + 1) + " (" + slots[i].text() + ") is missing; the message has " +
              std::to_string(r.arg_count());
      return false;
    }
  }
  for (size_t i = 0; i < count; ++i) {
    if (i >= r.arg_count()) {
      slots[i].missing(slots[i].out);
    } else if (!slots[i].decode(r, r.arg_type(i), slots[i].out)) {
      error = "argument " + std::to_string(i + 1) + " (" + slots[i].text() + "): " + r.error();
      return false;
    }
  }
  for (size_t i = count; i < r.arg_count(); ++i)
    if (!r.skip(r.arg_type(i))) {
      error = "extra argument " + std::to_string(i + 1) + ": " + r.error();
      return false;
    }
  if (!r.at_end()) {
    error = "trailing bytes after the last argument";
    return false;
  }
  return true;
}

}  // namespace detail

void TypeWriter::write_header(ic::Bytes& out, std::span<const int32_t> args) const {
  out.insert(out.end(), {'D', 'I', 'D', 'L'});
  detail::put_uleb(out, entries_.size());
  for (const ic::Bytes& e : entries_) out.insert(out.end(), e.begin(), e.end());
  detail::put_uleb(out, args.size());
  for (int32_t t : args) detail::put_sleb(out, t);
}

namespace detail {

void put_uleb(ic::Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(b | (v ? 0x80 : 0));
  } while (v);
}

void put_sleb(ic::Bytes& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(b | (done ? 0 : 0x80));
    if (done) return;
  }
}

void put_nat128(ic::Bytes& out, unsigned __int128 v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(b | (v ? 0x80 : 0));
  } while (v);
}

void put_int128(ic::Bytes& out, __int128 v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(b | (done ? 0 : 0x80));
    if (done) return;
  }
}

void put_text(ic::Bytes& out, std::string_view s) {
  put_uleb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void put_principal(ic::Bytes& out, const ic::Principal& p) {
  out.push_back(1);
  put_uleb(out, p.bytes().size());
  out.insert(out.end(), p.bytes().begin(), p.bytes().end());
}

void put_big_nat(ic::Bytes& out, const ic::BigNat& v) { ic::write_uleb(out, v); }
void put_big_int(ic::Bytes& out, const ic::BigInt& v) { ic::write_sleb(out, v); }

}  // namespace detail
}  // namespace cdk
