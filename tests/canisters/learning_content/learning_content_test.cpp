// learning_content on the kit's mock: curator-only writes, answer-free reads, pagination, shard registration by
// the hub only (idempotent), grading only for registered shards, pass-mark edges, upgrades.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "candid/binary.h"
#include "candid/types.h"
#include "canisters/learning_content/logic.h"
#include "canisters/learning_content/types.h"
#include "canisters/user_profile/protocol.h"
#include "cdk/candid.h"
#include "cdk/mock/mock.h"

using cdk::mock::Env;
using ic::Principal;
using namespace learning_content;

namespace {

const Principal kHub = Principal::from_canister_index(1);
const Principal kShard = Principal::from_canister_index(10);
const Principal kShard2 = Principal::from_canister_index(11);
const Principal kStranger = Principal::from_canister_index(99);
Principal person(const std::string& name) { return Principal::self_authenticating(ic::as_view(std::string_view(name))); }
const Principal kCurator = person("curator");
const Principal kUser = person("user");

// Three questions; the right answers are {1, 0, 2}.
LearningUnit unit(const std::string& id, std::string content = "Fractions are parts of a whole.") {
  LearningUnit u;
  u.id = id;
  u.title = "Title of " + id;
  u.chapter = "Chapter 1";
  u.content = std::move(content);
  u.questions = {Question{"1/2 + 1/2?", {"0", "1", "2"}, 1}, Question{"Is 2/4 = 1/2?", {"yes", "no"}, 0},
                 Question{"3/3?", {"0", "3", "1"}, 2}};
  return u;
}
const std::vector<uint8_t> kRight{1, 0, 2};

Env& install(std::optional<uint8_t> pass_mark = std::nullopt, std::vector<Principal> curators = {kCurator}) {
  Env& ic = cdk::mock::fresh();
  auto r = ic.install_with(ContentInit{kHub, curators, pass_mark});
  INFO(r.reject_message);
  REQUIRE(r.replied());
  return ic;
}

ContentResult add(Env& ic, const LearningUnit& u, const Principal& who = kCurator) {
  ic.set_caller(who);
  return ic.update("add_learning_unit", u).as<ContentResult>();
}
suite::RegisterShardResult register_shard(Env& ic, const Principal& shard, const Principal& who = kHub) {
  ic.set_caller(who);
  // Decoded with the shard protocol's own types (what staking_hub uses).
  return ic.update("register_shard", shard).as<suite::RegisterShardResult>();
}
// The call exactly as user_profile makes it: (text, blob), decoded with its types.
suite::VerifyResult verify(Env& ic, const std::string& id, const std::vector<uint8_t>& answers,
                           const Principal& who = kShard) {
  ic.set_caller(who);
  return ic.update("verify_quiz", id, answers).as<suite::VerifyResult>();
}
ContentConfig config(Env& ic) { return ic.query("get_config").as<ContentConfig>(); }

// Does any record in the reply (decoded generically, every field kept) have a field named `name`?
bool has_field(const candid::Value& v, uint32_t id) {
  for (const auto& f : v.fields)
    if (f.id == id || has_field(f.value, id)) return true;
  for (const auto& i : v.items)
    if (has_field(i, id)) return true;
  return false;
}
bool reply_has_field(const ic::Bytes& reply, std::string_view name) {
  auto args = candid::decode(reply);
  REQUIRE(args.ok());
  for (const auto& v : args->values)
    if (has_field(v, candid::field_hash(name))) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------- pure rules

TEST_CASE("logic: unit ids, field bounds, grading and the pass mark") {
  CHECK_FALSE(unit_id_problem("math/fractions-1"));
  CHECK_FALSE(unit_id_problem("a/b"));
  CHECK(unit_id_problem(""));
  CHECK(unit_id_problem("fractions"));         // no subject
  CHECK(unit_id_problem("/fractions"));        // empty subject
  CHECK(unit_id_problem("math/"));             // empty unit
  CHECK(unit_id_problem("math/a/b"));          // two slashes
  CHECK(unit_id_problem("math/a b"));          // space
  CHECK(unit_id_problem(std::string("math/a\0b", 8)));
  CHECK(unit_id_problem("math/" + std::string(124, 'x')));  // 129 bytes
  CHECK_FALSE(unit_id_problem("math/" + std::string(123, 'x')));  // 128 bytes
  CHECK(subject_of("math/fractions") == "math");

  CHECK_FALSE(unit_problem(unit("math/f")));
  auto broken = [](std::function<void(LearningUnit&)> f) {
    LearningUnit u = unit("math/f");
    f(u);
    return unit_problem(u).value_or("");
  };
  CHECK(broken([](LearningUnit& u) { u.title = ""; }).find("title") == 0);
  CHECK(broken([](LearningUnit& u) { u.title = std::string(201, 't'); }).find("title") == 0);
  CHECK(broken([](LearningUnit& u) { u.content = std::string(kMaxContent + 1, 'c'); }).find("content") == 0);
  CHECK(broken([](LearningUnit& u) { u.content = "\xC0\xAF"; }) == "content: not valid UTF-8");
  CHECK(broken([](LearningUnit& u) { u.questions.clear(); }).find("questions") == 0);
  CHECK(broken([](LearningUnit& u) { u.questions.resize(kMaxQuestions + 1, u.questions[0]); }).find("questions") == 0);
  CHECK(broken([](LearningUnit& u) { u.questions[1].options = {"only"}; }).find("questions[1].options") == 0);
  CHECK(broken([](LearningUnit& u) { u.questions[2].correct = 3; }).find("questions[2].correct") == 0);
  CHECK(broken([](LearningUnit& u) { u.questions[0].options[1] = ""; }).find("questions[0].options[1]") == 0);
  CHECK(broken([](LearningUnit& u) { u.questions[0].text = ""; }).find("questions[0].text") == 0);

  // correct * 100 >= pass_mark * total
  CHECK(passes(3, 5, 60));
  CHECK_FALSE(passes(2, 5, 60));
  CHECK_FALSE(passes(3, 5, 61));
  CHECK(passes(5, 5, 100));
  CHECK_FALSE(passes(4, 5, 100));
  CHECK(passes(1, 3, 33));
  CHECK_FALSE(passes(1, 3, 34));
  CHECK(passes(UINT32_MAX, UINT32_MAX, 100));  // no overflow

  LearningUnit u = unit("math/f");
  Grade g = grade(u, kRight, 60);
  REQUIRE(g.verdict);
  CHECK(*g.verdict == QuizVerdict{true, 3, 3});
  g = grade(u, {1, 0, 0}, 60);  // 2 of 3 = 66 %
  CHECK(*g.verdict == QuizVerdict{true, 2, 3});
  g = grade(u, {1, 0, 0}, 67);
  CHECK(*g.verdict == QuizVerdict{false, 2, 3});
  g = grade(u, {1, 1}, 60);
  CHECK_FALSE(g.verdict);
  CHECK(g.error.find("3 questions, got 2 answers") != std::string::npos);

  PublicUnit p = public_view(u, 7);
  CHECK(p.subject == "math");
  CHECK(p.questions.size() == 3);
  CHECK(p.questions[0].options == u.questions[0].options);
}

// ---------------------------------------------------------------- init

TEST_CASE("init: default pass mark 60, refused settings") {
  Env& ic = install();
  ContentConfig c = config(ic);
  CHECK(c.hub == kHub);
  CHECK(c.curators == std::vector<Principal>{kCurator});
  CHECK(c.pass_mark == 60);
  CHECK(c.unit_count == 0);
  CHECK(c.shard_count == 0);

  CHECK(config(install(uint8_t{100})).pass_mark == 100);
  CHECK(config(install(uint8_t{1})).pass_mark == 1);
  for (uint8_t bad : {uint8_t{0}, uint8_t{101}, uint8_t{255}}) {
    Env& e = cdk::mock::fresh();
    auto r = e.install_with(ContentInit{kHub, {kCurator}, bad});
    CHECK(r.rejected());
    CHECK(r.reject_message.find("pass_mark") != std::string::npos);
  }
  {
    Env& e = cdk::mock::fresh();
    CHECK(e.install_with(ContentInit{Principal::anonymous(), {kCurator}, std::nullopt}).rejected());
  }
  {
    Env& e = cdk::mock::fresh();
    CHECK(e.install_with(ContentInit{kHub, {Principal::anonymous()}, std::nullopt}).rejected());
  }
  {
    Env& e = cdk::mock::fresh();
    CHECK(e.install_with(ContentInit{kHub, std::vector<Principal>(101, kCurator), std::nullopt}).rejected());
  }
}

// ---------------------------------------------------------------- curation

TEST_CASE("only curators add, update and remove units; invalid units are refused") {
  Env& ic = install();
  for (const Principal& who : {kUser, kHub, kShard, Principal::anonymous()}) {
    auto r = add(ic, unit("math/f"), who);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().is<"NotCurator">());
  }
  CHECK(config(ic).unit_count == 0);
  REQUIRE(add(ic, unit("math/f")).is_ok());
  CHECK(config(ic).unit_count == 1);
  auto dup = add(ic, unit("math/f"));
  REQUIRE_FALSE(dup.is_ok());
  CHECK(dup.error().is<"AlreadyExists">());

  LearningUnit bad = unit("math/g");
  bad.questions[0].correct = 9;
  auto inv = add(ic, bad);
  REQUIRE_FALSE(inv.is_ok());
  REQUIRE(inv.error().is<"Invalid">());
  CHECK(inv.error().get<"Invalid">().find("questions[0].correct") == 0);
  auto noid = add(ic, unit("nosubject"));
  REQUIRE_FALSE(noid.is_ok());
  CHECK(noid.error().is<"Invalid">());

  // update: curators only, existing units only
  LearningUnit changed = unit("math/f", "New text.");
  ic.set_caller(kUser);
  CHECK(ic.update("update_learning_unit", changed).as<ContentResult>().error().is<"NotCurator">());
  ic.set_caller(kCurator);
  CHECK(ic.update("update_learning_unit", unit("math/missing")).as<ContentResult>().error().is<"NotFound">());
  REQUIRE(ic.update("update_learning_unit", changed).as<ContentResult>().is_ok());
  CHECK(ic.query("get_learning_unit", std::string("math/f")).as<std::optional<PublicUnit>>()->content == "New text.");

  // remove: curators only
  ic.set_caller(kUser);
  CHECK(ic.update("remove_learning_unit", std::string("math/f")).as<ContentResult>().error().is<"NotCurator">());
  ic.set_caller(kCurator);
  REQUIRE(ic.update("remove_learning_unit", std::string("math/f")).as<ContentResult>().is_ok());
  CHECK(ic.update("remove_learning_unit", std::string("math/f")).as<ContentResult>().error().is<"NotFound">());
  CHECK(ic.update("remove_learning_unit", std::string(500, 'x')).as<ContentResult>().error().is<"NotFound">());
  CHECK_FALSE(ic.query("get_learning_unit", std::string("math/f")).as<std::optional<PublicUnit>>());
  CHECK(config(ic).unit_count == 0);
}

TEST_CASE("reads are queries without answers; large units round-trip through chunks") {
  Env& ic = install();
  ic.set_time(1'800'000'000'000'000'000ull);
  std::string big;
  for (size_t i = 0; big.size() + 10 < kMaxContent; ++i) big += "line " + std::to_string(i % 10000) + "\n";
  LearningUnit u = unit("history/rome", big);
  REQUIRE(add(ic, u).is_ok());
  REQUIRE(add(ic, unit("math/f")).is_ok());

  auto r = ic.query("get_learning_unit", std::string("history/rome"));
  REQUIRE(r.replied());
  CHECK_FALSE(reply_has_field(r.reply, "correct"));
  CHECK(reply_has_field(r.reply, "options"));  // the scan does see question fields
  auto p = r.as<std::optional<PublicUnit>>();
  REQUIRE(p);
  CHECK(p->id == "history/rome");
  CHECK(p->subject == "history");
  CHECK(p->content == big);
  CHECK(p->updated_at == 1'800'000'000'000'000'000ull);
  REQUIRE(p->questions.size() == 3);
  CHECK(p->questions[2].text == "3/3?");
  CHECK(p->questions[2].options == std::vector<std::string>{"0", "3", "1"});

  // A shorter version drops the surplus chunks; the unit reads back exactly.
  ic.set_caller(kCurator);
  REQUIRE(ic.update("update_learning_unit", unit("history/rome", "short")).as<ContentResult>().is_ok());
  CHECK(ic.query("get_learning_unit", std::string("history/rome")).as<std::optional<PublicUnit>>()->content == "short");

  auto l = ic.query("list_learning_units", std::optional<std::string>{}, uint32_t{10});
  REQUIRE(l.replied());
  CHECK_FALSE(reply_has_field(l.reply, "correct"));
  CHECK_FALSE(reply_has_field(l.reply, "content"));  // listings are summaries
  CHECK_FALSE(ic.query("get_learning_unit", std::string("math/none")).as<std::optional<PublicUnit>>());
  CHECK_FALSE(ic.query("get_learning_unit", std::string(5000, 'x')).as<std::optional<PublicUnit>>());
}

TEST_CASE("list_learning_units pages in id order with a cursor and at most 100 per page") {
  Env& ic = install();
  std::vector<std::string> ids;
  for (int i = 0; i < 105; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s/u%03d", i % 2 ? "math" : "art", i);
    ids.push_back(buf);
    REQUIRE(add(ic, unit(buf)).is_ok());
  }
  std::sort(ids.begin(), ids.end());
  using Page = std::tuple<std::vector<UnitSummary>, std::optional<std::string>>;

  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto [items, next] = ic.query("list_learning_units", cursor, uint32_t{7}).as<Page>();
    CHECK(items.size() <= 7);
    for (auto& s : items) {
      seen.push_back(s.id);
      CHECK(s.question_count == 3);
      CHECK(s.title == "Title of " + s.id);
    }
    cursor = next;
    ++pages;
  } while (cursor && pages < 100);
  CHECK(pages == 15);  // 105 / 7
  CHECK(seen == ids);

  auto [all, more] = ic.query("list_learning_units", std::optional<std::string>{}, uint32_t{1000}).as<Page>();
  CHECK(all.size() == 100);  // clamped
  REQUIRE(more);
  CHECK(*more == ids[100]);
  auto [dflt, more2] = ic.query("list_learning_units", std::optional<std::string>{}, uint32_t{0}).as<Page>();
  CHECK(dflt.size() == 100);

  // A subject prefix as cursor starts at that subject.
  auto [math, next] = ic.query("list_learning_units", std::optional<std::string>("math/"), uint32_t{3}).as<Page>();
  REQUIRE(math.size() == 3);
  CHECK(math[0].id == "math/u001");
  auto [last, none] = ic.query("list_learning_units", std::optional<std::string>("zzz"), uint32_t{3}).as<Page>();
  CHECK(last.empty());
  CHECK_FALSE(none);
}

// ---------------------------------------------------------------- shards and grading

TEST_CASE("register_shard: only the hub, idempotent") {
  Env& ic = install();
  for (const Principal& who : {kCurator, kShard, kStranger, Principal::anonymous()}) {
    auto r = register_shard(ic, kShard, who);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().find("only the hub") == 0);
  }
  CHECK(config(ic).shard_count == 0);
  REQUIRE(register_shard(ic, kShard).is_ok());
  REQUIRE(register_shard(ic, kShard).is_ok());  // the hub retries until every content canister says Ok
  REQUIRE(register_shard(ic, kShard).is_ok());
  CHECK(config(ic).shard_count == 1);
  CHECK(ic.query("is_shard", kShard).as<bool>());
  CHECK_FALSE(ic.query("is_shard", kShard2).as<bool>());
  REQUIRE(register_shard(ic, kShard2).is_ok());
  CHECK(config(ic).shard_count == 2);
  CHECK_FALSE(register_shard(ic, Principal::anonymous()).is_ok());
  CHECK_FALSE(register_shard(ic, Principal::management()).is_ok());
}

TEST_CASE("verify_quiz: refused for anyone but registered shards, so answers cannot be probed") {
  Env& ic = install();
  REQUIRE(add(ic, unit("math/f")).is_ok());
  for (const Principal& who : {kUser, kCurator, kHub, kStranger, kShard, Principal::anonymous()}) {
    auto r = verify(ic, "math/f", kRight, who);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().find("only shards registered by the hub") == 0);
    // The refusal is the same for a unit that does not exist: nothing about the unit leaks.
    auto r2 = verify(ic, "math/none", kRight, who);
    REQUIRE_FALSE(r2.is_ok());
    CHECK(r2.error().find("only shards registered by the hub") == 0);
  }
  REQUIRE(register_shard(ic, kShard).is_ok());
  auto ok = verify(ic, "math/f", kRight);
  REQUIRE(ok.is_ok());
  CHECK(ok.value().passed);
  CHECK(ok.value().correct == 3);
  CHECK(ok.value().total == 3);
  auto fail = verify(ic, "math/f", {0, 1, 0});
  REQUIRE(fail.is_ok());
  CHECK_FALSE(fail.value().passed);
  CHECK(fail.value().correct == 0);
  // Another shard is still refused until the hub registers it.
  CHECK_FALSE(verify(ic, "math/f", kRight, kShard2).is_ok());

  auto missing = verify(ic, "math/none", kRight);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.error() == "no learning unit math/none");
  CHECK_FALSE(verify(ic, "math/f", {1, 0}).is_ok());         // too few answers
  CHECK_FALSE(verify(ic, "math/f", {1, 0, 2, 0}).is_ok());   // too many
  CHECK_FALSE(verify(ic, "bad id", kRight).is_ok());
  // verify_quiz is an update (a query's caller is not authenticated by consensus).
  ic.set_caller(kShard);
  CHECK(ic.query("verify_quiz", std::string("math/f"), kRight).rejected());
}

TEST_CASE("verify_quiz: pass-mark edges (>= pass_mark percent correct)") {
  // Five questions: k correct for k = 0..5 against marks 60, 80 and 100.
  auto five = [] {
    LearningUnit u = unit("math/five");
    u.questions.clear();
    for (int i = 0; i < 5; ++i) u.questions.push_back(Question{"q" + std::to_string(i), {"a", "b"}, 1});
    return u;
  };
  struct Case {
    uint8_t mark;
    uint32_t correct;
    bool passed;
  };
  for (Case c : {Case{60, 3, true}, Case{60, 2, false}, Case{80, 4, true}, Case{80, 3, false}, Case{100, 5, true},
                 Case{100, 4, false}, Case{1, 1, true}, Case{1, 0, false}}) {
    INFO("pass mark " << int(c.mark) << ", " << c.correct << " of 5 correct");
    Env& ic = install(c.mark);
    REQUIRE(add(ic, five()).is_ok());
    REQUIRE(register_shard(ic, kShard).is_ok());
    std::vector<uint8_t> answers(5, 0);
    for (uint32_t i = 0; i < c.correct; ++i) answers[i] = 1;
    auto r = verify(ic, "math/five", answers);
    REQUIRE(r.is_ok());
    CHECK(r.value().passed == c.passed);
    CHECK(r.value().correct == c.correct);
    CHECK(r.value().total == 5);
  }
}

// ---------------------------------------------------------------- upgrades

TEST_CASE("upgrade keeps units, shards and settings; an init argument may change curators, never the hub") {
  Env& ic = install(uint8_t{70});
  REQUIRE(add(ic, unit("math/f")).is_ok());
  REQUIRE(register_shard(ic, kShard).is_ok());

  REQUIRE(ic.upgrade(ic::Bytes{}).replied());  // no argument at all
  CHECK(config(ic).pass_mark == 70);
  CHECK(config(ic).unit_count == 1);
  CHECK(verify(ic, "math/f", kRight).is_ok());
  CHECK(ic.query("get_learning_unit", std::string("math/f")).as<std::optional<PublicUnit>>());

  REQUIRE(ic.upgrade().replied());  // "DIDL" with no values
  CHECK(config(ic).pass_mark == 70);

  const Principal kNewCurator = person("new curator");
  REQUIRE(ic.upgrade_with(ContentInit{kHub, {kNewCurator}, uint8_t{90}}).replied());
  CHECK(config(ic).pass_mark == 90);
  CHECK(add(ic, unit("math/g"), kCurator).error().is<"NotCurator">());
  CHECK(add(ic, unit("math/g"), kNewCurator).is_ok());
  CHECK(verify(ic, "math/f", kRight).is_ok());  // shards survive

  auto moved = ic.upgrade_with(ContentInit{kStranger, {kNewCurator}, std::nullopt});
  CHECK(moved.rejected());
  CHECK(moved.reject_message.find("hub cannot change") != std::string::npos);
}

TEST_CASE("the example course (hubctl content add examples/course.json) passes the canister's rules") {
  std::ifstream in(EXAMPLE_COURSE);
  REQUIRE(in);
  auto j = nlohmann::json::parse(in);
  Env& ic = install();
  size_t n = 0;
  for (auto& ju : j.at("units")) {
    LearningUnit u;
    u.id = ju.at("id");
    u.title = ju.at("title");
    u.chapter = ju.at("chapter");
    u.content = ju.at("content");
    for (auto& q : ju.at("questions"))
      u.questions.push_back(Question{q.at("text"), q.at("options").get<std::vector<std::string>>(), q.at("correct").get<uint8_t>()});
    INFO(u.id << ": " << unit_problem(u).value_or(""));
    CHECK_FALSE(unit_problem(u));
    CHECK(add(ic, u).is_ok());
    ++n;
  }
  CHECK(n > 0);
  CHECK(config(ic).unit_count == n);
}
