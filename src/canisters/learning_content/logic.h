// learning_content's pure rules (no System API): unit ids and field bounds, stripping answers for public
// reads, and grading against the pass mark (SPEC.md "learning_content"). Tested natively without the mock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canisters/learning_content/types.h"

namespace learning_content {

// Bounds: every unit fits one reply (≈ 200 KiB at most) and one ingress message.
constexpr size_t kMaxUnitId = 128;
constexpr size_t kMaxTitle = 200, kMaxChapter = 200;
constexpr size_t kMaxContent = 64 * 1024;
constexpr size_t kMaxQuestions = 50;
constexpr size_t kMaxQuestionText = 1000;
constexpr size_t kMinOptions = 2, kMaxOptions = 10;
constexpr size_t kMaxOptionText = 300;
constexpr size_t kMaxCurators = 100;
constexpr uint32_t kMaxPage = 100;
constexpr uint8_t kDefaultPassMark = 60;

bool valid_utf8(std::string_view s);

// "subject/unit": one '/', both parts non-empty, ASCII letters, digits, '-', '_' and '.', at most 128 bytes.
// Returns what is wrong, or nullopt.
std::optional<std::string> unit_id_problem(std::string_view id);
// The part before the '/' (the routing prefix of SPEC.md: shards route verify_quiz by it).
std::string subject_of(std::string_view id);

// The first problem with a unit a curator submits ("questions[2].correct: 4 is not an option index"), or nullopt.
std::optional<std::string> unit_problem(const LearningUnit& u);

// The answer-free view (SPEC.md: reads never include answers).
PublicUnit public_view(const LearningUnit& u, uint64_t updated_at);
UnitSummary summary_of(const LearningUnit& u, uint64_t updated_at);

// Grades answers (option indices in question order) against the unit: passed when correct/total >= pass_mark %.
// Errors (nothing graded): a different number of answers than questions.
struct Grade {
  std::optional<QuizVerdict> verdict;
  std::string error;
};
Grade grade(const LearningUnit& u, const std::vector<uint8_t>& answers, uint8_t pass_mark);
// correct * 100 >= pass_mark * total, without overflow.
bool passes(uint32_t correct, uint32_t total, uint8_t pass_mark);

}  // namespace learning_content
