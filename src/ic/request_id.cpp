#include "ic/request_id.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "ic/leb128.h"

namespace ic {

Hash256 ri_hash_blob(ByteView b) { return sha256(b); }
Hash256 ri_hash_text(std::string_view s) { return sha256(s); }

Hash256 ri_hash_nat(uint64_t n) {
  Bytes b;
  write_uleb(b, n);
  return sha256(b);
}
Hash256 ri_hash_nat(const BigNat& n) {
  Bytes b;
  write_uleb(b, n);
  return sha256(b);
}
Hash256 ri_hash_int(int64_t n) {
  Bytes b;
  write_sleb(b, n);
  return sha256(b);
}
Hash256 ri_hash_int(const BigInt& n) {
  Bytes b;
  write_sleb(b, n);
  return sha256(b);
}

Hash256 ri_hash_array(std::span<const Hash256> element_hashes) {
  Sha256 h;
  for (auto& e : element_hashes) h.update(e);
  return h.finish();
}

Hash256 ri_hash_map(std::span<const std::pair<std::string, Hash256>> fields) {
  // §2: per field H(key) · H(value), sort the 64-byte strings, concatenate, hash.
  std::vector<std::array<uint8_t, 64>> parts(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    Hash256 k = sha256(fields[i].first);
    std::memcpy(parts[i].data(), k.data(), 32);
    std::memcpy(parts[i].data() + 32, fields[i].second.data(), 32);
  }
  std::sort(parts.begin(), parts.end());
  Sha256 h;
  for (auto& p : parts) h.update(p);
  return h.finish();
}

namespace {

// Depth is bounded by the value itself; decoded values are already limited by the CBOR decoder.
Result<Hash256> hash_value(const cbor::Value& v, const std::string& where);

Result<Hash256> hash_map(const cbor::Value& v, const std::string& where) {
  const cbor::Map* m = v.as_map();
  if (!m)
    return make_error(Errc::type_mismatch, where + ": expected a map, found a " + cbor::kind_name(v.kind()));
  std::vector<std::pair<std::string, Hash256>> fields;
  fields.reserve(m->size());
  for (auto& [k, val] : *m) {
    auto key = k.as_text();
    if (!key)
      return make_error(Errc::type_mismatch, where + ": map key " + cbor::diagnostic(k, 60) + " is not a text string",
                        "request maps have text keys only");
    std::string field = where.empty() ? std::string(*key) : where + "." + std::string(*key);
    IC_TRY(Hash256 h, hash_value(val, field));
    fields.emplace_back(std::string(*key), h);
  }
  std::vector<const std::string*> names;
  for (auto& f : fields) names.push_back(&f.first);
  std::sort(names.begin(), names.end(), [](auto* a, auto* b) { return *a < *b; });
  for (size_t i = 1; i < names.size(); ++i)
    if (*names[i] == *names[i - 1])
      return make_error(Errc::invalid_input, (where.empty() ? "map" : where) + ": duplicate key \"" + *names[i] + "\"");
  return ri_hash_map(fields);
}

Result<Hash256> hash_value(const cbor::Value& v, const std::string& where) {
  using cbor::Kind;
  const std::string name = where.empty() ? "value" : "field `" + where + "`";
  switch (v.kind()) {
    case Kind::Bytes: return ri_hash_blob(*v.as_bytes());
    case Kind::Text: return ri_hash_text(*v.as_text());
    case Kind::Unsigned: return ri_hash_nat(*v.as_uint());
    case Kind::Negative: return ri_hash_int(*v.as_bigint());
    case Kind::Array: {
      std::vector<Hash256> hs;
      hs.reserve(v.as_array()->size());
      size_t i = 0;
      for (auto& e : *v.as_array()) {
        IC_TRY(Hash256 h, hash_value(e, where + "[" + std::to_string(i++) + "]"));
        hs.push_back(h);
      }
      return ri_hash_array(hs);
    }
    case Kind::Map: return hash_map(v, where);
    case Kind::Tag: {
      uint64_t t = *v.tag_number();
      if (t == cbor::kSelfDescribeTag) return hash_value(*v.tag_content(), where);
      if (t == cbor::kPositiveBignumTag || t == cbor::kNegativeBignumTag) {
        if (auto n = v.as_bigint()) return n->negative() ? ri_hash_int(*n) : ri_hash_nat(n->magnitude());
      }
      return make_error(Errc::unsupported, name + ": CBOR tag " + std::to_string(t) + " has no request-id hash");
    }
    default:
      return make_error(Errc::unsupported, name + ": a " + std::string(cbor::kind_name(v.kind())) +
                                               " has no representation-independent hash",
                        "encode numbers as integers, not floats or booleans");
  }
}

}  // namespace

Result<Hash256> ri_hash_value(const cbor::Value& v) { return hash_value(v, ""); }

Result<Hash256> hash_of_map(const cbor::Value& map) { return hash_map(map.untagged(), ""); }

Bytes domain_separated(std::string_view tag, ByteView message) {
  Bytes out;
  out.reserve(1 + tag.size() + message.size());
  out.push_back(static_cast<uint8_t>(tag.size()));
  out.insert(out.end(), tag.begin(), tag.end());
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace ic
