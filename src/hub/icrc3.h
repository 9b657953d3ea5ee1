// hub::icrc3 — the auditor's own reading of an ICRC-3 block log (independent of any ledger's code): the
// ICRC-3 Value and its representation-independent hash, ICRC-1 block schemas, the phash chain, the tip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "candid/value.h"
#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/hash_tree.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace hub::icrc3 {

// ICRC-3 `Value = variant { Blob : blob; Text : text; Nat : nat; Int : int; Array : vec Value;
// Map : vec record { text; Value } }`.
struct Value {
  enum class Kind { Blob, Text, Nat, Int, Array, Map };
  Kind kind = Kind::Blob;
  ic::Bytes blob;
  std::string text;
  ic::BigInt number;  // Nat (never negative) and Int
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> map;

  static Value of_blob(ic::Bytes b);
  static Value of_text(std::string t);
  static Value of_nat(ic::BigNat n);
  static Value of_int(ic::BigInt n);
  static Value of_array(std::vector<Value> items);
  static Value of_map(std::vector<std::pair<std::string, Value>> entries);
  // Map entry by key; nullptr if absent or not a map.
  const Value* get(std::string_view key) const;
};

// ICRC-3 "Value hashing": SHA-256 of the bytes (Blob), UTF-8 (Text), ULEB128 (Nat), SLEB128 (Int); Array:
// of the concatenated element hashes; Map: of the sorted concatenation of hash(key) · hash(value).
ic::Hash256 hash(const Value& v);

// From a generically decoded Candid ICRC3Value (variant labels Blob/Text/Nat/Int/Array/Map); depth-limited.
ic::Result<Value> from_candid(const candid::Value& v, size_t max_depth = 64);

// An ICRC-1 block (ICRC-3 "ICRC-1 and ICRC-2 Block Schema"): `btype` 1mint/1burn/1xfer/2approve/2xfer, or
// the legacy `tx.op` mint/burn/xfer/approve when there is no btype.
struct Block {
  enum class Kind { Mint, Burn, Transfer, Approve, Other };
  Kind kind = Kind::Other;
  std::string type;                  // the btype or op as written
  ic::BigNat amount;                 // tx.amt
  std::optional<ic::Hash256> phash;  // absent in the first block
  uint64_t timestamp = 0;            // ts
  ic::Bytes to_owner, from_owner;    // principal bytes of tx.to / tx.from (empty when absent)
  std::optional<ic::Bytes> memo;     // tx.memo
  std::optional<uint64_t> created_at_time;  // tx.ts
};
const char* block_kind_name(Block::Kind k);
ic::Result<Block> parse_block(const Value& block);

// The chain check of ICRC-3 ("Verifying the block log"): block 0 has no phash, block i's phash is the
// hash of block i-1. Fed block by block (pages), it keeps running totals.
class ChainVerifier {
 public:
  // Errors name the block index and what is wrong; the verifier must not be fed further after one.
  ic::Status add(uint64_t index, const Value& block);
  uint64_t length() const { return next_index_; }
  const std::optional<ic::Hash256>& last_hash() const { return last_hash_; }
  const ic::BigNat& minted() const { return minted_; }
  const ic::BigNat& burned() const { return burned_; }
  uint64_t mint_count() const { return mint_count_; }
  // Σ mints to `owner` only etc. could come later; the audit needs totals and the minter.
  // Principals that received mints (to check the minting account is the only source of supply).

 private:
  uint64_t next_index_ = 0;
  std::optional<ic::Hash256> last_hash_;
  ic::BigNat minted_, burned_;
  uint64_t mint_count_ = 0;
};

// The certified tip (icrc3_get_tip_certificate's hash_tree): its root must equal the ledger's
// certified_data (taken by the caller from a verified certificate), and it holds `last_block_index`
// (ULEB128) and `last_block_hash` (32 bytes).
struct Tip {
  uint64_t last_block_index = 0;
  ic::Hash256 last_block_hash{};
};
ic::Result<Tip> read_tip(ic::ByteView hash_tree_cbor, ic::ByteView certified_data);

}  // namespace hub::icrc3
