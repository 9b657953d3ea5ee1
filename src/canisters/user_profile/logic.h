// user_profile's pure rules (no System API): profile validation, daily attempts per UTC day, and what the
// next sync with the hub asks for or gives back (SPEC.md "user_profile"). Tested natively without the mock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "canisters/user_profile/protocol.h"
#include "canisters/user_profile/types.h"

namespace user_profile {

// Field bounds (SPEC.md: email <= 254, name/education <= 100, gender <= 32 bytes).
constexpr size_t kMaxEmail = 254, kMaxName = 100, kMaxEducation = 100, kMaxGender = 32;
constexpr size_t kMaxUnitId = 128;
constexpr size_t kMaxAnswers = 256;
constexpr uint32_t kMaxPage = 100;

bool valid_utf8(std::string_view s);
// The first problem with the profile ("email: 300 bytes, at most 254"), or nullopt.
std::optional<std::string> profile_problem(const Profile& p);

uint32_t utc_day(uint64_t time_ns);

// Graded attempts of one user on one UTC day.
struct Attempts {
  uint32_t day = 0;
  uint16_t count = 0;
};
// Takes one attempt for `today` (a new day starts from zero); false when `limit` is reached.
bool take_attempt(Attempts& a, uint32_t today, uint32_t limit);
// Gives back an attempt taken on `today` (nothing if the day has changed since).
void release_attempt(Attempts& a, uint32_t today);

// The allowance books of a shard: remaining = granted - used - reserved - returned (SPEC.md I2).
struct Allowance {
  uint64_t granted = 0, used = 0, reserved = 0, returned = 0;
  uint64_t remaining() const;  // traps if the books are inconsistent
};

// What the next sync asks for: a chunk when below `allowance_low` (or below `need`), the excess above
// `allowance_high` back.
struct SyncPlan {
  uint64_t request = 0;
  uint64_t give_back = 0;
};
SyncPlan plan_sync(uint64_t remaining, uint64_t need, const suite::ShardConstants& c);

// Profiles are stored as length-prefixed fields split into fixed-size chunks of stable memory.
constexpr size_t kProfileChunk = 96;
std::string encode_profile(const Profile& p);
std::optional<Profile> decode_profile(std::string_view bytes);

}  // namespace user_profile
