// learning_content's pure rules (logic.h).
#include "canisters/learning_content/logic.h"

namespace learning_content {

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t d = static_cast<uint8_t>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points beyond U+10FFFF are not UTF-8 (RFC 3629).
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

std::optional<std::string> unit_id_problem(std::string_view id) {
  if (id.empty()) return "unit id is empty";
  if (id.size() > kMaxUnitId)
    return "unit id has " + std::to_string(id.size()) + " bytes, at most " + std::to_string(kMaxUnitId);
  size_t slash = id.find('/');
  if (slash == std::string_view::npos) return "unit id \"" + std::string(id) + "\" is not subject/unit";
  if (slash == 0 || slash + 1 == id.size()) return "unit id \"" + std::string(id) + "\" has an empty subject or unit";
  if (id.find('/', slash + 1) != std::string_view::npos)
    return "unit id \"" + std::string(id) + "\" has more than one '/'";
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '/';
    if (!ok) return "unit id \"" + std::string(id) + "\" may only use letters, digits, '-', '_', '.' and one '/'";
  }
  return std::nullopt;
}

std::string subject_of(std::string_view id) {
  size_t slash = id.find('/');
  return std::string(slash == std::string_view::npos ? id : id.substr(0, slash));
}

namespace {
std::optional<std::string> text_problem(const std::string& what, const std::string& s, size_t min, size_t max) {
  if (s.size() < min) return what + ": empty";
  if (s.size() > max) return what + ": " + std::to_string(s.size()) + " bytes, at most " + std::to_string(max);
  if (!valid_utf8(s)) return what + ": not valid UTF-8";
  return std::nullopt;
}
}  // namespace

std::optional<std::string> unit_problem(const LearningUnit& u) {
  if (auto p = unit_id_problem(u.id)) return p;
  if (auto p = text_problem("title", u.title, 1, kMaxTitle)) return p;
  if (auto p = text_problem("chapter", u.chapter, 0, kMaxChapter)) return p;
  if (auto p = text_problem("content", u.content, 0, kMaxContent)) return p;
  if (u.questions.empty()) return std::string("questions: a unit needs at least one question");
  if (u.questions.size() > kMaxQuestions)
    return "questions: " + std::to_string(u.questions.size()) + ", at most " + std::to_string(kMaxQuestions);
  for (size_t i = 0; i < u.questions.size(); ++i) {
    const Question& q = u.questions[i];
    std::string where = "questions[" + std::to_string(i) + "]";
    if (auto p = text_problem(where + ".text", q.text, 1, kMaxQuestionText)) return p;
    if (q.options.size() < kMinOptions || q.options.size() > kMaxOptions)
      return where + ".options: " + std::to_string(q.options.size()) + " options, between " +
             std::to_string(kMinOptions) + " and " + std::to_string(kMaxOptions) + " needed";
    for (size_t k = 0; k < q.options.size(); ++k)
      if (auto p = text_problem(where + ".options[" + std::to_string(k) + "]", q.options[k], 1, kMaxOptionText))
        return p;
    if (q.correct >= q.options.size())
      return where + ".correct: " + std::to_string(q.correct) + " is not an option index (0.." +
             std::to_string(q.options.size() - 1) + ")";
  }
  return std::nullopt;
}

PublicUnit public_view(const LearningUnit& u, uint64_t updated_at) {
  PublicUnit p;
  p.id = u.id;
  p.subject = subject_of(u.id);
  p.title = u.title;
  p.chapter = u.chapter;
  p.content = u.content;
  p.updated_at = updated_at;
  p.questions.reserve(u.questions.size());
  for (const Question& q : u.questions) p.questions.push_back(PublicQuestion{q.text, q.options});
  return p;
}

UnitSummary summary_of(const LearningUnit& u, uint64_t updated_at) {
  return UnitSummary{u.id, u.title, u.chapter, static_cast<uint32_t>(u.questions.size()), updated_at};
}

bool passes(uint32_t correct, uint32_t total, uint8_t pass_mark) {
  return uint64_t{correct} * 100 >= uint64_t{pass_mark} * total;
}

Grade grade(const LearningUnit& u, const std::vector<uint8_t>& answers, uint8_t pass_mark) {
  Grade g;
  if (answers.size() != u.questions.size()) {
    g.error = "unit " + u.id + " has " + std::to_string(u.questions.size()) + " questions, got " +
              std::to_string(answers.size()) + " answers";
    return g;
  }
  uint32_t correct = 0;
  for (size_t i = 0; i < answers.size(); ++i)
    if (answers[i] == u.questions[i].correct) ++correct;
  uint32_t total = static_cast<uint32_t>(u.questions.size());
  g.verdict = QuizVerdict{passes(correct, total, pass_mark), correct, total};
  return g;
}

}  // namespace learning_content
