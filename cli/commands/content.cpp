// `hubctl content add FILE | list | remove UNIT_ID...`: curators manage learning_content's units (SPEC.md
// "learning_content"). Units come from a JSON file: {"units": [{"id": "subject/unit", "title", "chapter",
// "content", "questions": [{"text", "options": [...], "correct": INDEX}]}]} (examples/course.json).
#include <iostream>

#include "agent/agent.h"
#include "commands/commands.h"
#include "hub/files.h"
#include "hub/interfaces.h"
#include "table.h"

namespace cli {
namespace {

std::string candid_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The learning_content canister: a name/id from the state file, else the hub's first content route.
ic::Result<ic::Principal> content_id(Context& ctx, agent::Agent& a) {
  if (auto id = ctx.resolve_canister("learning_content")) return *id;
  IC_TRY(ic::Principal hub, ctx.hub_id());
  IC_TRY(agent::Reply r, a.query(hub, "get_config", hub::encode_call_args("staking_hub", "get_config", "()").value(), hub));
  if (r.rejected) return agent::reject_to_error(r, "get_config");
  IC_TRY(hub::Reply d, hub::decode_reply("staking_hub", "get_config", r.arg));
  IC_TRY(hub::CView routes, d.first().field("learning_content"));
  IC_TRY(auto items, routes.items());
  if (items.empty()) return ic::make_error(ic::Errc::not_found, "the hub lists no learning_content canister");
  IC_TRY(hub::CView c, items[0].field("canister"));
  return c.principal();
}

// A unit of the JSON file as the Candid text of LearningUnit; errors name the unit and field.
ic::Result<std::string> unit_text(const nlohmann::json& u, size_t index) {
  std::string where = "unit " + std::to_string(index);
  auto str = [&](const char* k) -> ic::Result<std::string> {
    if (!u.contains(k) || !u[k].is_string())
      return ic::make_error(ic::Errc::invalid_input, where + ": `" + k + "` must be a string");
    return u[k].get<std::string>();
  };
  IC_TRY(std::string id, str("id"));
  where = "unit " + id;
  IC_TRY(std::string title, str("title"));
  IC_TRY(std::string chapter, str("chapter"));
  IC_TRY(std::string content, str("content"));
  if (!u.contains("questions") || !u["questions"].is_array() || u["questions"].empty())
    return ic::make_error(ic::Errc::invalid_input, where + ": `questions` must be a non-empty array");
  std::string qs;
  for (auto& q : u["questions"]) {
    if (!q.is_object() || !q.contains("text") || !q["text"].is_string() || !q.contains("options") ||
        !q["options"].is_array() || !q.contains("correct") || !q["correct"].is_number_unsigned())
      return ic::make_error(ic::Errc::invalid_input,
                            where + ": each question needs `text`, `options` (strings) and `correct` (an index)");
    std::string opts;
    for (auto& o : q["options"]) {
      if (!o.is_string()) return ic::make_error(ic::Errc::invalid_input, where + ": options must be strings");
      opts += candid_string(o.get<std::string>()) + "; ";
    }
    if (q["correct"].get<uint64_t>() >= q["options"].size())
      return ic::make_error(ic::Errc::invalid_input, where + ": `correct` is not an index of `options`");
    qs += "record { text = " + candid_string(q["text"].get<std::string>()) + "; options = vec { " + opts +
          "}; correct = " + std::to_string(q["correct"].get<uint64_t>()) + " }; ";
  }
  return "(record { id = " + candid_string(id) + "; title = " + candid_string(title) + "; chapter = " +
         candid_string(chapter) + "; content = " + candid_string(content) + "; questions = vec { " + qs + "} })";
}

int call_result(Context& ctx, agent::Agent& a, const ic::Principal& content, const std::string& method,
                const std::string& text, const std::string& what, std::string* err_tag = nullptr) {
  auto arg = hub::encode_call_args("learning_content", method, text);
  if (!arg) return ctx.fail(arg.error(), kUsage);
  auto r = a.call(content, method, *arg, content);
  if (!r) return ctx.fail(r.error());
  if (r->rejected) return ctx.fail(agent::reject_to_error(*r, what), kCouldNotCheck, "reject");
  auto d = hub::decode_reply("learning_content", method, r->arg);
  if (!d) return ctx.fail(d.error(), kCouldNotCheck);
  auto ok = d->first().ok();
  if (!ok) {
    if (err_tag) {
      auto v = d->first().variant_value();
      *err_tag = v ? v->render() : "";
    }
    return ctx.fail(ic::Error(ok.error()).context(what), kCheckFailed);
  }
  return kOk;
}

}  // namespace

void add_content_commands(CLI::App& app, Context& ctx) {
  auto* content = app.add_subcommand("content", "Curate learning_content: add, list and remove units");
  content->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto replace = std::make_shared<bool>(false);
  auto* add = content->add_subcommand("add", "Add (or with --replace, update) the units of a JSON file");
  add->add_option("FILE", *file, "JSON file: {\"units\": [...]}, see examples/course.json")->required();
  add->add_flag("--replace", *replace, "Update units that already exist instead of failing");
  add->footer("Only curators may add units (the deploying identity by default).\nExamples:\n"
              "  hubctl content add examples/course.json\n  hubctl content add course.json --replace --identity curator");
  set_runner(add, [file, replace, &ctx]() -> int {
    auto text = hub::read_file(*file, 64 << 20);
    if (!text) return ctx.fail(text.error(), kUsage);
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("units") || !j["units"].is_array())
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, *file + " is not {\"units\": [...]}",
                                     "see examples/course.json for the format"),
                      kUsage);
    std::vector<std::string> units;
    for (size_t i = 0; i < j["units"].size(); ++i) {
      auto u = unit_text(j["units"][i], i);
      if (!u) return ctx.fail(ic::Error(u.error()).context(*file), kUsage);
      units.push_back(*u);
    }
    auto a = ctx.make_agent(true);
    if (!a) return ctx.fail(a.error());
    auto cid = content_id(ctx, **a);
    if (!cid) return ctx.fail(cid.error(), kUsage);
    for (size_t i = 0; i < units.size(); ++i) {
      std::string id = j["units"][i]["id"];
      std::string tag;
      int rc = call_result(ctx, **a, *cid, "add_learning_unit", units[i], "add " + id, &tag);
      if (rc != kOk && *replace && tag.rfind("AlreadyExists", 0) == 0)
        rc = call_result(ctx, **a, *cid, "update_learning_unit", units[i], "update " + id);
      if (rc != kOk) return rc;
      ctx.note("added " + id);
    }
    if (ctx.json) ctx.print_json({{"ok", true}, {"added", units.size()}});
    else std::cout << units.size() << " units added to " << cid->to_text() << "\n";
    return kOk;
  });

  auto* list = content->add_subcommand("list", "List the units (answers are never shown: the canister keeps them)");
  list->footer("Examples:\n  hubctl content list\n  hubctl --hub ID content list --json");
  set_runner(list, [&ctx]() -> int {
    auto a = ctx.make_agent(false);
    if (!a) return ctx.fail(a.error());
    auto cid = content_id(ctx, **a);
    if (!cid) return ctx.fail(cid.error(), kUsage);
    Table t({"unit", "title", "chapter", "questions"}, {false, false, false, true});
    nlohmann::json arr = nlohmann::json::array();
    std::string cursor = "null";
    for (int page = 0; page < 100'000; ++page) {
      auto arg = hub::encode_call_args("learning_content", "list_learning_units", "(" + cursor + ", 100 : nat32)");
      if (!arg) return ctx.fail(arg.error());
      auto r = (*a)->query(*cid, "list_learning_units", *arg, *cid);
      if (!r) return ctx.fail(r.error());
      if (r->rejected) return ctx.fail(agent::reject_to_error(*r, "list_learning_units"), kCouldNotCheck);
      auto d = hub::decode_reply("learning_content", "list_learning_units", r->arg);
      if (!d) return ctx.fail(d.error(), kCouldNotCheck);
      auto items = d->at(0).items();
      if (!items) return ctx.fail(items.error(), kCouldNotCheck);
      for (auto& it : *items) {
        auto get = [&](const char* f) { auto v = it.field(f); return v ? v->render() : std::string(); };
        auto txt = [&](const char* f) { auto v = it.field(f); return v ? v->text().value_or("") : std::string(); };
        t.add({txt("id"), txt("title"), txt("chapter"), get("question_count")});
        arr.push_back({{"id", txt("id")}, {"title", txt("title")}, {"chapter", txt("chapter")},
                       {"question_count", get("question_count")}});
      }
      auto next = d->at(1).opt();
      if (!next || !*next) break;
      cursor = "opt " + candid_string((*next)->text().value_or(""));
    }
    if (ctx.json) ctx.print_json({{"ok", true}, {"content", cid->to_text()}, {"units", arr}});
    else t.print(std::cout);
    return kOk;
  });

  auto ids = std::make_shared<std::vector<std::string>>();
  auto* rm = content->add_subcommand("remove", "Remove units by id (curators only)");
  rm->add_option("UNIT_ID", *ids, "Unit ids such as math/fractions")->required();
  rm->footer("Examples:\n  hubctl content remove math/fractions");
  set_runner(rm, [ids, &ctx]() -> int {
    auto a = ctx.make_agent(true);
    if (!a) return ctx.fail(a.error());
    auto cid = content_id(ctx, **a);
    if (!cid) return ctx.fail(cid.error(), kUsage);
    for (auto& id : *ids) {
      int rc = call_result(ctx, **a, *cid, "remove_learning_unit", "(" + candid_string(id) + ")", "remove " + id);
      if (rc != kOk) return rc;
    }
    if (ctx.json) ctx.print_json({{"ok", true}, {"removed", *ids}});
    else std::cout << ids->size() << " units removed\n";
    return kOk;
  });
}

}  // namespace cli
