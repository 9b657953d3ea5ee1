// Representation-independent hashing (interface spec "Request ids", ic-protocol.md §2): request ids,
// delegation and query-response signatures, ICRC-3 block hashes; plus the domain separators signed over.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/cbor.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace ic {

// Hashes of single values (§2 "Value hashing").
Hash256 ri_hash_blob(ByteView b);
Hash256 ri_hash_text(std::string_view s);
Hash256 ri_hash_nat(uint64_t n);          // SHA-256 of the shortest ULEB128
Hash256 ri_hash_nat(const BigNat& n);
Hash256 ri_hash_int(int64_t n);           // SHA-256 of the shortest SLEB128
Hash256 ri_hash_int(const BigInt& n);
Hash256 ri_hash_array(std::span<const Hash256> element_hashes);
// A map given as (key, value hash) pairs in any order; keys must be distinct (the caller's duty here).
Hash256 ri_hash_map(std::span<const std::pair<std::string, Hash256>> fields);

// A CBOR value as the IC encodes requests (§1.3): byte string = blob, text = text, unsigned (and tag 2
// bignum) = nat, negative (and tag 3) = int, array, map with text keys (nested maps hash recursively).
// A self-describe tag is looked through. Anything else (floats, bools, null, other tags, non-text
// keys, duplicate keys) is an error naming the offending field.
Result<Hash256> ri_hash_value(const cbor::Value& v);
// Map only (e.g. a request's `content`): the request id, or the hash signed in delegations.
Result<Hash256> hash_of_map(const cbor::Value& map);
inline Result<Hash256> request_id(const cbor::Value& content) { return hash_of_map(content); }

// byte(len(tag)) · tag · message (§2 "Domain separators").
Bytes domain_separated(std::string_view tag, ByteView message);
// What `sender_sig` signs: "\x0Aic-request" · request id.
inline Bytes request_signing_payload(const Hash256& rid) { return domain_separated("ic-request", rid); }

}  // namespace ic
