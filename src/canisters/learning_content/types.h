// learning_content's public interface types (candid/learning_content.did): units as curators write them, the
// answer-free views everybody reads, grading verdicts and the canister's configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cdk/candid.h"
#include "ic/principal.h"

namespace learning_content {

using ic::Principal;

// init (and, optionally, upgrade) argument. pass_mark: percent of correct answers needed (default 60).
struct ContentInit {
  Principal hub;
  std::vector<Principal> curators;
  std::optional<uint8_t> pass_mark;
};
CDK_RECORD(ContentInit, hub, curators, pass_mark)

// A question as curators write it: `correct` is the index of the right option.
struct Question {
  std::string text;
  std::vector<std::string> options;
  uint8_t correct = 0;
  friend bool operator==(const Question&, const Question&) = default;
};
CDK_RECORD(Question, text, options, correct)

// add_learning_unit's argument: id "subject/unit".
struct LearningUnit {
  std::string id;
  std::string title;
  std::string chapter;
  std::string content;
  std::vector<Question> questions;
  friend bool operator==(const LearningUnit&, const LearningUnit&) = default;
};
CDK_RECORD(LearningUnit, id, title, chapter, content, questions)

// What reads return: never the correct option (SPEC.md "learning_content").
struct PublicQuestion {
  std::string text;
  std::vector<std::string> options;
};
CDK_RECORD(PublicQuestion, text, options)

struct PublicUnit {
  std::string id;
  std::string subject;
  std::string title;
  std::string chapter;
  std::string content;
  std::vector<PublicQuestion> questions;
  uint64_t updated_at = 0;
};
CDK_RECORD(PublicUnit, id, subject, title, chapter, content, questions, updated_at)

struct UnitSummary {
  std::string id;
  std::string title;
  std::string chapter;
  uint32_t question_count = 0;
  uint64_t updated_at = 0;
  friend bool operator==(const UnitSummary&, const UnitSummary&) = default;
};
CDK_RECORD(UnitSummary, id, title, chapter, question_count, updated_at)

using ContentError = cdk::Variant<cdk::Alt<"NotCurator">, cdk::Alt<"Invalid", std::string>,
                                  cdk::Alt<"AlreadyExists">, cdk::Alt<"NotFound">>;
using ContentResult = cdk::Result<cdk::Null, ContentError>;

// register_shard : (principal) -> (variant { Ok; Err : text })
using RegisterShardResult = cdk::Result<cdk::Null, std::string>;

// verify_quiz : (text, blob) -> (variant { Ok : QuizVerdict; Err : text })
struct QuizVerdict {
  bool passed = false;
  uint32_t correct = 0;
  uint32_t total = 0;
  friend bool operator==(const QuizVerdict&, const QuizVerdict&) = default;
};
CDK_RECORD(QuizVerdict, passed, correct, total)
using VerifyResult = cdk::Result<QuizVerdict, std::string>;

struct ContentConfig {
  Principal hub;
  std::vector<Principal> curators;
  uint8_t pass_mark = 60;
  uint64_t unit_count = 0;
  uint64_t shard_count = 0;
};
CDK_RECORD(ContentConfig, hub, curators, pass_mark, unit_count, shard_count)

}  // namespace learning_content
