// icrc1_ledger: the suite's bundled ICRC-1 ledger with an ICRC-3 block log and certified tip (SPEC.md
// "icrc1_ledger", invariant I4). Thin entry points over state.h (stable layout) and logic.h (blocks, hashing);
// interface: candid/icrc1_ledger.did.
#include <string>
#include <tuple>
#include <vector>

#include "canisters/icrc1_ledger/logic.h"
#include "canisters/icrc1_ledger/state.h"
#include "canisters/icrc1_ledger/types.h"
#include "cdk/certified.h"
#include "cdk/method.h"

namespace icrc1_ledger {
namespace {

Stable& st() { return stable(); }
const LedgerConfig& config() { return heap->config; }

constexpr size_t kPrunePerCall = 100;  // expired deduplication entries removed per transfer (bounded work)

void save_books() { st().books.set(heap->books); }

// certified_data = root of { last_block_hash, last_block_index } (ICRC-3 "Blocks Verification"); nothing is
// certified before the first block (icrc3_get_tip_certificate then returns null).
void certify_tip() {
  const Books& b = heap->books;
  if (b.block_count == 0) return;
  cdk::certify(tip_tree(b.block_count - 1, b.last_hash));
}

u128 balance(const Account& a) { return st().balances.get(account_key(a)).value_or(0); }

void set_balance(const Account& a, u128 v) {
  if (v == 0) st().balances.remove(account_key(a));  // zero balances take no space
  else st().balances.insert(account_key(a), v);
}

void credit(const Account& a, u128 amount) { set_balance(a, add(balance(a), amount, "balance")); }
void debit(const Account& a, u128 amount) { set_balance(a, sub(balance(a), amount, "balance")); }

// Appends the block after the current tip (phash = hash of the previous block) and returns its index.
uint64_t append_block(Block b) {
  Books& books = heap->books;
  if (books.block_count > 0) b.phash = books.last_hash;
  else b.phash.reset();
  uint64_t index = books.block_count;
  if (index == UINT64_MAX) cdk::trap("icrc1_ledger: the block log is full");
  ic::Bytes stored = encode_block(b);
  st().blocks.insert(index, stored);
  books.block_count = index + 1;
  books.last_hash = hash_value(block_value(b));
  return index;
}

// Forgets deduplication entries whose created_at_time left the window (a bounded number per call: the window
// check in icrc1_transfer keeps stale entries harmless until they go).
void prune_dedup(uint64_t now) {
  if (now <= kTxWindowNs + kPermittedDriftNs) return;
  uint64_t horizon = now - kTxWindowNs - kPermittedDriftNs;
  for (size_t i = 0; i < kPrunePerCall; ++i) {
    auto first = st().expiry.first();
    if (!first || expiry_time(first->first) >= horizon) break;
    st().dedup.remove(first->second);
    st().expiry.remove(first->first);
  }
}

TransferResult generic(u128 code, std::string message) {
  return TransferResult::err(TransferError::make<"GenericError">(Generic{code, std::move(message)}));
}

void init(LedgerInit args) {
  const Account& m = args.minting_account;
  if (m.owner.is_anonymous()) cdk::trap("icrc1_ledger init: the minting account cannot be the anonymous principal");
  if (!valid_account(m)) cdk::trap("icrc1_ledger init: the minting account's subaccount must be 32 bytes");
  // SPEC.md I4: every token comes from a mint block by the minting account (the hub); none exist at genesis.
  if (args.initial_balances && !args.initial_balances->empty())
    cdk::trap("icrc1_ledger init: initial balances are refused (SPEC.md I4: no genesis balances; every token is "
              "minted by the hub)");
  if (args.token_name.empty() || args.token_name.size() > 64)
    cdk::trap("icrc1_ledger init: token_name must be 1 to 64 bytes");
  if (args.token_symbol.empty() || args.token_symbol.size() > 16)
    cdk::trap("icrc1_ledger init: token_symbol must be 1 to 16 bytes");
  // The suite counts in e8s (SPEC.md): another precision would silently rescale every amount.
  if (args.decimals != 8) cdk::trap("icrc1_ledger init: decimals must be 8 (the suite's amounts are e8s)");
  LedgerConfig c;
  c.minting_account = m;
  c.token_name = args.token_name;
  c.token_symbol = args.token_symbol;
  c.decimals = args.decimals;
  c.transfer_fee = args.transfer_fee;
  c.min_burn_amount = args.min_burn_amount.value_or(args.transfer_fee);
  st().config.set(c);
  st().books.set(Books{});
  heap->config = c;
  heap->books = Books{};
}
CDK_INIT(init)

// Everything is in stable memory; the configuration is immutable (the upgrade argument is ignored).
void post_upgrade() {
  heap->config = st().config.get();
  heap->books = st().books.get();
  certify_tip();
}
[[maybe_unused]] cdk::detail::StageHook post_upgrade_hook(cdk::detail::Stage::PostUpgrade, &post_upgrade, false);

}  // namespace

// --- ICRC-1 transfer: from the minting account it mints, to it it burns (no fee either way), otherwise a
// transfer that pays transfer_fee (burned). created_at_time enables deduplication within the window.

TransferResult icrc1_transfer(TransferArg arg) {
  const LedgerConfig& c = config();
  uint64_t now = cdk::time_ns();
  Account from{cdk::caller(), arg.from_subaccount};
  if (!valid_account(from) || !valid_account(arg.to))
    return generic(kErrInvalidAccount, "a subaccount must be exactly 32 bytes");
  if (arg.memo && arg.memo->size() > kMaxMemo)
    return generic(kErrMemoTooLong, "the memo has " + std::to_string(arg.memo->size()) + " bytes, at most " +
                                        std::to_string(kMaxMemo));
  bool mint = same_account(from, c.minting_account);
  bool burn = same_account(arg.to, c.minting_account);
  if (mint && burn) return generic(kErrMintToMinter, "the minting account cannot transfer to itself");
  if (arg.created_at_time) {
    TimeCheck t = check_time(*arg.created_at_time, now);
    if (t == TimeCheck::TooOld) return TransferResult::err(TransferError::make<"TooOld">());
    if (t == TimeCheck::InFuture)
      return TransferResult::err(TransferError::make<"CreatedInFuture">(LedgerTime{now}));
  }
  Block b;
  b.kind = mint ? BlockKind::Mint : burn ? BlockKind::Burn : BlockKind::Transfer;
  b.timestamp = now;
  if (!mint) b.from = from;
  if (!burn) b.to = arg.to;
  b.amount = arg.amount;
  if (b.kind == BlockKind::Transfer) b.tx_fee = arg.fee;
  b.memo = arg.memo;
  b.created_at_time = arg.created_at_time;

  prune_dedup(now);
  DedupKey key{};
  if (arg.created_at_time) {
    ic::Hash256 h = hash_value(tx_value(b));
    std::copy(h.begin(), h.end(), key.begin());
    if (auto earlier = st().dedup.get(key))
      return TransferResult::err(TransferError::make<"Duplicate">(DuplicateOf{*earlier}));
  }

  Books& books = heap->books;
  switch (b.kind) {
    case BlockKind::Mint:
      if (arg.fee && *arg.fee != 0) return TransferResult::err(TransferError::make<"BadFee">(ExpectedFee{0}));
      credit(arg.to, arg.amount);
      books.total_supply = add(books.total_supply, arg.amount, "total supply");
      books.minted = add(books.minted, arg.amount, "minted");
      break;
    case BlockKind::Burn: {
      if (arg.fee && *arg.fee != 0) return TransferResult::err(TransferError::make<"BadFee">(ExpectedFee{0}));
      if (arg.amount < c.min_burn_amount)
        return TransferResult::err(TransferError::make<"BadBurn">(MinBurn{c.min_burn_amount}));
      u128 have = balance(from);
      if (have < arg.amount) return TransferResult::err(TransferError::make<"InsufficientFunds">(Funds{have}));
      debit(from, arg.amount);
      books.total_supply = sub(books.total_supply, arg.amount, "total supply");
      books.burned = add(books.burned, arg.amount, "burned");
      break;
    }
    case BlockKind::Transfer: {
      u128 fee = c.transfer_fee;
      if (arg.fee && *arg.fee != fee) return TransferResult::err(TransferError::make<"BadFee">(ExpectedFee{fee}));
      u128 have = balance(from);
      u128 need;
      if (__builtin_add_overflow(arg.amount, fee, &need) || have < need)
        return TransferResult::err(TransferError::make<"InsufficientFunds">(Funds{have}));
      debit(from, need);
      credit(arg.to, arg.amount);
      books.total_supply = sub(books.total_supply, fee, "total supply");
      books.fees = add(books.fees, fee, "fees");
      if (fee > 0) b.fee = fee;
      break;
    }
  }
  uint64_t index = append_block(b);
  if (arg.created_at_time) {
    st().dedup.insert(key, index);
    st().expiry.insert(expiry_key(*arg.created_at_time, index), key);
  }
  save_books();
  certify_tip();
  return TransferResult::ok(index);
}
CDK_UPDATE_FN(icrc1_transfer)

// --- ICRC-1 queries

std::string icrc1_name() { return config().token_name; }
CDK_QUERY_FN(icrc1_name)
std::string icrc1_symbol() { return config().token_symbol; }
CDK_QUERY_FN(icrc1_symbol)
uint8_t icrc1_decimals() { return config().decimals; }
CDK_QUERY_FN(icrc1_decimals)
u128 icrc1_fee() { return config().transfer_fee; }
CDK_QUERY_FN(icrc1_fee)

Metadata icrc1_metadata() {
  const LedgerConfig& c = config();
  Metadata m;
  m.emplace_back("icrc1:decimals", MetadataValue::make<"Nat">(u128{c.decimals}));
  m.emplace_back("icrc1:fee", MetadataValue::make<"Nat">(c.transfer_fee));
  m.emplace_back("icrc1:max_memo_length", MetadataValue::make<"Nat">(u128{kMaxMemo}));
  m.emplace_back("icrc1:name", MetadataValue::make<"Text">(c.token_name));
  m.emplace_back("icrc1:symbol", MetadataValue::make<"Text">(c.token_symbol));
  return m;
}
CDK_QUERY_FN(icrc1_metadata)

// Tokens in circulation: minted - burned - fees (the minting account holds none).
u128 icrc1_total_supply() { return heap->books.total_supply; }
CDK_QUERY_FN(icrc1_total_supply)

std::optional<Account> icrc1_minting_account() { return config().minting_account; }
CDK_QUERY_FN(icrc1_minting_account)

u128 icrc1_balance_of(Account a) {
  if (!valid_account(a)) return 0;
  return balance(a);
}
CDK_QUERY_FN(icrc1_balance_of)

std::vector<Standard> icrc1_supported_standards() {
  return {Standard{"ICRC-1", "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-1"},
          Standard{"ICRC-3", "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-3"}};
}
CDK_QUERY_FN(icrc1_supported_standards)

// --- ICRC-3

// Blocks of the requested ranges, in request order, at most kMaxBlocksPerReply in all (a client asks again
// for the rest). Every block is kept here: archived_blocks is always empty.
GetBlocksResult icrc3_get_blocks(std::vector<BlockRange> ranges) {
  GetBlocksResult r;
  uint64_t count = heap->books.block_count;
  r.log_length = count;
  uint64_t budget = kMaxBlocksPerReply;
  for (const BlockRange& range : ranges) {
    if (budget == 0) break;
    if (range.start >= count) continue;
    uint64_t start = static_cast<uint64_t>(range.start);
    uint64_t n = count - start;
    if (range.length < n) n = static_cast<uint64_t>(range.length);
    if (n > budget) n = budget;
    if (n == 0) continue;
    for (auto& [index, bytes] : st().blocks.range(start, start + n)) {
      auto b = decode_block(bytes);
      if (!b) cdk::trap("icrc1_ledger: stored block " + std::to_string(index) + " does not decode");
      r.blocks.push_back(BlockWithId{index, block_value(*b)});
    }
    budget -= n;
  }
  return r;
}
CDK_QUERY_FN(icrc3_get_blocks)

std::vector<ArchiveInfo> icrc3_get_archives(GetArchivesArgs) { return {}; }
CDK_QUERY_FN(icrc3_get_archives)

// The certificate and the tip tree whose root it certifies; null before the first block and in replicated
// execution (no certificate there: call it as a query).
std::optional<TipCertificate> icrc3_get_tip_certificate() {
  const Books& b = heap->books;
  if (b.block_count == 0) return std::nullopt;
  auto cert = cdk::data_certificate();
  if (!cert) return std::nullopt;
  TipCertificate t;
  t.certificate = std::move(*cert);
  // Plain CBOR of the tree (no self-describe tag): what hubctl's audit (src/hub/icrc3.h read_tip) decodes.
  t.hash_tree = tip_tree(b.block_count - 1, b.last_hash).encode();
  return t;
}
CDK_QUERY_FN(icrc3_get_tip_certificate)

std::vector<SupportedBlockType> icrc3_supported_block_types() {
  const std::string url = "https://github.com/dfinity/ICRC-1/blob/main/standards/ICRC-1/README.md";
  return {SupportedBlockType{"1burn", url}, SupportedBlockType{"1mint", url}, SupportedBlockType{"1xfer", url}};
}
CDK_QUERY_FN(icrc3_supported_block_types)

#ifdef HUBCTL_FAULT_INJECTION
// Test-only (never in the release module): each breaks invariant I4 on purpose.
// Tokens appear without a mint block: icrc1_total_supply ends `amount` above the sum of mint blocks (also when
// fees or burns had brought it below), so the audit's I4.supply check fails for any amount > 0.
void fault_mint_unrecorded(Account to, u128 amount) {
  Books& b = heap->books;
  credit(to, amount);
  u128 base = b.total_supply > b.minted ? b.total_supply : b.minted;
  b.total_supply = add(base, amount, "total supply");
  save_books();
}
CDK_UPDATE_FN(fault_mint_unrecorded)
// Rewrites a stored block's amount: the phash chain (or the certified tip) no longer matches.
void fault_corrupt_block(uint64_t index) {
  auto bytes = st().blocks.get(index);
  if (!bytes) cdk::trap("fault_corrupt_block: no block " + std::to_string(index));
  auto b = decode_block(*bytes);
  if (!b) cdk::trap("fault_corrupt_block: block does not decode");
  b->amount += 1;
  st().blocks.insert(index, encode_block(*b));
}
CDK_UPDATE_FN(fault_corrupt_block)
#endif

}  // namespace icrc1_ledger
