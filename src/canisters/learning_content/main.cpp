// learning_content: curated units and quizzes (SPEC.md "learning_content"). Thin entry points over state.h
// (stable layout) and logic.h (rules); interface: candid/learning_content.did.
#include <string>
#include <tuple>
#include <vector>

#include "canisters/learning_content/logic.h"
#include "canisters/learning_content/state.h"
#include "canisters/learning_content/types.h"
#include "cdk/method.h"

namespace learning_content {
namespace {

Stable& st() { return stable(); }
const StoredConfig& config() { return heap->config; }

bool is_curator(const Principal& p) {
  for (const Principal& c : config().curators)
    if (c == p) return true;
  return false;
}

// The settings every install and (optionally) upgrade argument must satisfy.
StoredConfig checked_config(const ContentInit& args) {
  if (args.hub.is_anonymous() || args.hub.is_management())
    cdk::trap("learning_content init: hub must be the staking_hub's canister id");
  if (args.curators.size() > kMaxCurators)
    cdk::trap("learning_content init: " + std::to_string(args.curators.size()) + " curators, at most " +
              std::to_string(kMaxCurators));
  for (const Principal& c : args.curators)
    if (c.is_anonymous()) cdk::trap("learning_content init: the anonymous principal cannot be a curator");
  uint8_t mark = args.pass_mark.value_or(kDefaultPassMark);
  if (mark == 0 || mark > 100)
    cdk::trap("learning_content init: pass_mark " + std::to_string(mark) + " is not a percentage from 1 to 100");
  return StoredConfig{args.hub, args.curators, mark};
}

void init(ContentInit args) {
  StoredConfig c = checked_config(args);
  st().config.set(c);
  heap->config = c;
}
CDK_INIT(init)

// Units and shards are in stable structures; the heap mirror is reloaded. An upgrade may pass a new init
// record (same hub; new curators and pass mark) or nothing at all (everything kept). The hub cannot change:
// the registered shards are that hub's.
void post_upgrade() {
  heap->config = st().config.get();
  ic::Bytes arg = cdk::arg_data();
  if (arg.empty()) return;
  std::tuple<std::optional<ContentInit>> parsed;
  std::string error;
  if (!cdk::decode_args(arg, parsed, error))
    cdk::trap("learning_content upgrade: the argument is neither empty nor (ContentInit): " + error);
  auto& args = std::get<0>(parsed);
  if (!args) return;
  StoredConfig c = checked_config(*args);
  if (c.hub != heap->config.hub)
    cdk::trap("learning_content upgrade: the hub cannot change (installed for " + heap->config.hub.to_text() + ")");
  st().config.set(c);
  heap->config = c;
}
[[maybe_unused]] cdk::detail::StageHook post_upgrade_hook(cdk::detail::Stage::PostUpgrade, &post_upgrade, false);

}  // namespace

// --- curation (curators only)

ContentResult add_learning_unit(LearningUnit unit) {
  if (!is_curator(cdk::caller())) return ContentResult::err(ContentError::make<"NotCurator">());
  if (auto problem = unit_problem(unit)) return ContentResult::err(ContentError::make<"Invalid">(*problem));
  if (st().units.contains(unit.id)) return ContentResult::err(ContentError::make<"AlreadyExists">());
  put_unit(unit, cdk::time_ns());
  return ContentResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(add_learning_unit)

// Edits an existing unit in place (a unit a user already passed stays paid: shards remember completions).
ContentResult update_learning_unit(LearningUnit unit) {
  if (!is_curator(cdk::caller())) return ContentResult::err(ContentError::make<"NotCurator">());
  if (auto problem = unit_problem(unit)) return ContentResult::err(ContentError::make<"Invalid">(*problem));
  if (!st().units.contains(unit.id)) return ContentResult::err(ContentError::make<"NotFound">());
  put_unit(unit, cdk::time_ns());
  return ContentResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(update_learning_unit)

ContentResult remove_learning_unit(std::string unit_id) {
  if (!is_curator(cdk::caller())) return ContentResult::err(ContentError::make<"NotCurator">());
  if (unit_id.size() > kMaxUnitId || !delete_unit(unit_id)) return ContentResult::err(ContentError::make<"NotFound">());
  return ContentResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(remove_learning_unit)

// --- reads: queries, never with answers

std::optional<PublicUnit> get_learning_unit(std::string unit_id) {
  if (unit_id.size() > kMaxUnitId) return std::nullopt;
  auto meta = st().units.get(unit_id);
  if (!meta) return std::nullopt;
  auto u = load_unit(unit_id);
  if (!u) return std::nullopt;
  return public_view(*u, meta->updated_at);
}
CDK_QUERY_FN(get_learning_unit)

// Units in id order from `cursor` on (inclusive), at most `limit` (<= 100; 0 means 100), and the id to continue
// from. Ids sort by subject first, so a cursor of "math/" starts at the math units.
std::tuple<std::vector<UnitSummary>, std::optional<std::string>> list_learning_units(std::optional<std::string> cursor,
                                                                                     uint32_t limit) {
  if (limit == 0 || limit > kMaxPage) limit = kMaxPage;
  std::vector<UnitSummary> out;
  std::optional<std::string> next;
  std::string from = cursor.value_or("");
  if (from.size() > kMaxUnitId) return {out, next};
  for (auto it = st().units.lower_bound(from); it != st().units.end(); ++it) {
    std::string id = it.key();
    if (out.size() == limit) {
      next = id;
      break;
    }
    UnitMeta m = it.value();
    out.push_back(UnitSummary{id, m.title, m.chapter, m.question_count, m.updated_at});
  }
  return {out, next};
}
CDK_QUERY_FN(list_learning_units)

// --- shards and grading

// Only the hub registers shards; idempotent (the hub retries until every content canister says Ok).
RegisterShardResult register_shard(Principal shard) {
  if (cdk::caller() != config().hub)
    return RegisterShardResult::err("only the hub (" + config().hub.to_text() + ") registers shards");
  if (shard.is_anonymous() || shard.is_management())
    return RegisterShardResult::err("a shard is a canister id, not " + shard.to_text());
  if (!st().shards.contains(shard)) st().shards.insert(shard, cdk::time_ns());
  return RegisterShardResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(register_shard)

bool is_shard(Principal p) { return st().shards.contains(p); }
CDK_QUERY_FN(is_shard)

// Grades a submission for a registered shard. Anyone else is refused before the unit is even looked at, so
// answers cannot be probed for free (SPEC.md "learning_content"). An update: a query's caller is not
// authenticated by consensus and its answer not certified.
VerifyResult verify_quiz(std::string unit_id, std::vector<uint8_t> answers) {
  Principal caller = cdk::caller();
  if (!st().shards.contains(caller))
    return VerifyResult::err("only shards registered by the hub may grade quizzes; " + caller.to_text() + " is not one");
  if (auto problem = unit_id_problem(unit_id)) return VerifyResult::err(*problem);
  auto u = load_unit(unit_id);
  if (!u) return VerifyResult::err("no learning unit " + unit_id);
  Grade g = grade(*u, answers, config().pass_mark);
  if (!g.verdict) return VerifyResult::err(g.error);
  return VerifyResult::ok(*g.verdict);
}
CDK_UPDATE_FN(verify_quiz)

ContentConfig get_config() {
  const StoredConfig& c = config();
  return ContentConfig{c.hub, c.curators, c.pass_mark, st().units.size(), st().shards.size()};
}
CDK_QUERY_FN(get_config)

#ifdef HUBCTL_FAULT_INJECTION
// Test-only (never in the release module): registers any principal as a shard without the hub, so hubctl's
// tests can show that a canister the hub did not create gets graded (the refusal it normally meets).
void fault_register_shard(Principal p) { st().shards.insert(p, cdk::time_ns()); }
CDK_UPDATE_FN(fault_register_shard)
#endif

}  // namespace learning_content
