// icrc1_ledger's public interface types (candid/icrc1_ledger.did): ICRC-1 accounts, transfers and errors,
// metadata, and the ICRC-3 block log (the recursive ICRC-3 Value and the archive callback, coded by hand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cdk/candid.h"
#include "ic/principal.h"

namespace icrc1_ledger {

using ic::Principal;
using Blob = std::vector<uint8_t>;
using u128 = unsigned __int128;

// ICRC-1 Account: a null subaccount is the default one (32 zero bytes).
struct Account {
  Principal owner;
  std::optional<Blob> subaccount;
  friend bool operator==(const Account&, const Account&) = default;
};
CDK_RECORD(Account, owner, subaccount)

// init: the minting account (SPEC.md I4: the hub) and token constants; genesis balances are refused.
struct LedgerInit {
  Account minting_account;
  std::string token_name;
  std::string token_symbol;
  uint8_t decimals = 8;
  u128 transfer_fee = 0;
  std::optional<u128> min_burn_amount;  // default: transfer_fee
  std::optional<std::vector<std::tuple<Account, u128>>> initial_balances;  // must be absent or empty
};
CDK_RECORD(LedgerInit, minting_account, token_name, token_symbol, decimals, transfer_fee, min_burn_amount,
           initial_balances)

struct TransferArg {
  std::optional<Blob> from_subaccount;
  Account to;
  u128 amount = 0;
  std::optional<u128> fee;
  std::optional<Blob> memo;
  std::optional<uint64_t> created_at_time;
};
CDK_RECORD(TransferArg, from_subaccount, to, amount, fee, memo, created_at_time)

struct ExpectedFee {
  u128 expected_fee = 0;
};
CDK_RECORD(ExpectedFee, expected_fee)
struct MinBurn {
  u128 min_burn_amount = 0;
};
CDK_RECORD(MinBurn, min_burn_amount)
struct Funds {
  u128 balance = 0;
};
CDK_RECORD(Funds, balance)
struct LedgerTime {
  uint64_t ledger_time = 0;
};
CDK_RECORD(LedgerTime, ledger_time)
struct DuplicateOf {
  u128 duplicate_of = 0;
};
CDK_RECORD(DuplicateOf, duplicate_of)
struct Generic {
  u128 error_code = 0;
  std::string message;
};
CDK_RECORD(Generic, error_code, message)
using TransferError =
    cdk::Variant<cdk::Alt<"BadFee", ExpectedFee>, cdk::Alt<"BadBurn", MinBurn>, cdk::Alt<"InsufficientFunds", Funds>,
                 cdk::Alt<"TooOld">, cdk::Alt<"CreatedInFuture", LedgerTime>, cdk::Alt<"TemporarilyUnavailable">,
                 cdk::Alt<"Duplicate", DuplicateOf>, cdk::Alt<"GenericError", Generic>>;
using TransferResult = cdk::Result<u128, TransferError>;

// GenericError codes of this ledger.
constexpr u128 kErrInvalidAccount = 1;  // a subaccount that is not 32 bytes
constexpr u128 kErrMemoTooLong = 2;
constexpr u128 kErrMintToMinter = 3;    // from and to are both the minting account

using MetadataValue = cdk::Variant<cdk::Alt<"Nat", u128>, cdk::Alt<"Int", __int128>, cdk::Alt<"Text", std::string>,
                                   cdk::Alt<"Blob", Blob>>;
using Metadata = std::vector<std::tuple<std::string, MetadataValue>>;

struct Standard {
  std::string name;
  std::string url;
};
CDK_RECORD(Standard, name, url)

// ICRC-3 Value = variant { Blob; Text; Nat; Int; Array : vec Value; Map : vec record { text; Value } }.
struct Value {
  enum class Kind : uint8_t { Blob, Text, Nat, Int, Array, Map };
  Kind kind = Kind::Blob;
  Blob blob;
  std::string text;
  u128 nat = 0;
  __int128 integer = 0;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> map;

  static Value of_blob(Blob b);
  static Value of_text(std::string t);
  static Value of_nat(u128 n);
  static Value of_int(__int128 n);
  static Value of_array(std::vector<Value> items);
  static Value of_map(std::vector<std::pair<std::string, Value>> entries);
  const Value* get(std::string_view key) const;  // Map entry, or nullptr
};

struct BlockRange {
  u128 start = 0;
  u128 length = 0;
};
CDK_RECORD(BlockRange, start, length)

struct BlockWithId {
  u128 id = 0;
  Value block;
};
CDK_RECORD(BlockWithId, id, block)

// func (vec BlockRange) -> (GetBlocksResult) query: where archived blocks are read. This ledger keeps every
// block itself (stable memory), so it never returns one; the type is still part of the standard reply.
struct GetBlocksCallback {
  Principal canister;
  std::string method;
};

struct ArchivedBlocks {
  std::vector<BlockRange> args;
  GetBlocksCallback callback;
};
CDK_RECORD(ArchivedBlocks, args, callback)

struct GetBlocksResult {
  u128 log_length = 0;
  std::vector<BlockWithId> blocks;
  std::vector<ArchivedBlocks> archived_blocks;
};
CDK_RECORD(GetBlocksResult, log_length, blocks, archived_blocks)

struct TipCertificate {
  Blob certificate;
  Blob hash_tree;
};
CDK_RECORD(TipCertificate, certificate, hash_tree)

struct GetArchivesArgs {
  std::optional<Principal> from;
};
CDK_RECORD(GetArchivesArgs, from)
struct ArchiveInfo {
  Principal canister_id;
  u128 start = 0;
  u128 end = 0;
};
CDK_RECORD(ArchiveInfo, canister_id, start, end)

struct SupportedBlockType {
  std::string block_type;
  std::string url;
};
CDK_RECORD(SupportedBlockType, block_type, url)

}  // namespace icrc1_ledger

namespace cdk {

// The recursive ICRC-3 Value. Its Candid text is the name the .did gives it (ICRC3Value), so the kit's
// signature text stays finite. The ledger only produces Values: decoding one is refused.
template <>
struct CandidType<icrc1_ledger::Value> {
  static constexpr bool null_like = false;
  static void text(std::string& s) { s += "ICRC3Value"; }
  static int32_t type(TypeWriter& w);
  static void encode(ic::Bytes& out, const icrc1_ledger::Value& v);
  static bool accepts(const Reader&, int32_t) { return false; }
  static bool decode(Reader& r, int32_t, icrc1_ledger::Value&) {
    return r.fail("icrc1_ledger does not accept ICRC-3 values as arguments");
  }
};

// The archive callback (a func reference; recursive through GetBlocksResult).
template <>
struct CandidType<icrc1_ledger::GetBlocksCallback> {
  static constexpr bool null_like = false;
  static void text(std::string& s) { s += "func (GetBlocksArgs) -> (GetBlocksResult) query"; }
  static int32_t type(TypeWriter& w);
  static void encode(ic::Bytes& out, const icrc1_ledger::GetBlocksCallback& v);
  static bool accepts(const Reader&, int32_t) { return false; }
  static bool decode(Reader& r, int32_t, icrc1_ledger::GetBlocksCallback&) {
    return r.fail("icrc1_ledger does not accept func references as arguments");
  }
};

}  // namespace cdk
