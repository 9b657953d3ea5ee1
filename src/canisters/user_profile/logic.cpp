// user_profile's pure rules (logic.h).
#include "canisters/user_profile/logic.h"

namespace user_profile {

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
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t d = static_cast<uint8_t>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

namespace {
std::optional<std::string> field_problem(const char* name, const std::string& v, size_t max) {
  if (v.size() > max)
    return std::string(name) + ": " + std::to_string(v.size()) + " bytes, at most " + std::to_string(max);
  if (!valid_utf8(v)) return std::string(name) + ": not valid UTF-8";
  return std::nullopt;
}
}  // namespace

std::optional<std::string> profile_problem(const Profile& p) {
  if (auto e = field_problem("email", p.email, kMaxEmail)) return e;
  if (auto e = field_problem("name", p.name, kMaxName)) return e;
  if (auto e = field_problem("education", p.education, kMaxEducation)) return e;
  if (auto e = field_problem("gender", p.gender, kMaxGender)) return e;
  return std::nullopt;
}

uint32_t utc_day(uint64_t time_ns) { return static_cast<uint32_t>(time_ns / suite::kDayNs); }

bool take_attempt(Attempts& a, uint32_t today, uint32_t limit) {
  if (a.day != today) a = Attempts{today, 0};
  if (a.count >= limit) return false;
  ++a.count;
  return true;
}

void release_attempt(Attempts& a, uint32_t today) {
  if (a.day == today && a.count > 0) --a.count;
}

uint64_t Allowance::remaining() const {
  uint64_t spent = suite::add(suite::add(used, reserved, "allowance used + reserved"), returned,
                              "allowance used + reserved + returned");
  return suite::sub(granted, spent, "allowance remaining");
}

SyncPlan plan_sync(uint64_t remaining, uint64_t need, const suite::ShardConstants& c) {
  SyncPlan p;
  if (remaining < c.allowance_low || remaining < need) {
    p.request = c.allowance_chunk;
    if (p.request < need) p.request = need;
  }
  if (remaining > c.allowance_high) p.give_back = remaining - c.allowance_high;
  return p;
}

std::string encode_profile(const Profile& p) {
  std::string out;
  for (const std::string* f : {&p.email, &p.name, &p.education, &p.gender}) {
    out.push_back(static_cast<char>(f->size() & 0xFF));
    out.push_back(static_cast<char>(f->size() >> 8));
    out += *f;
  }
  return out;
}

std::optional<Profile> decode_profile(std::string_view b) {
  Profile p;
  size_t pos = 0;
  for (std::string* f : {&p.email, &p.name, &p.education, &p.gender}) {
    if (pos + 2 > b.size()) return std::nullopt;
    size_t n = static_cast<uint8_t>(b[pos]) | (size_t{static_cast<uint8_t>(b[pos + 1])} << 8);
    pos += 2;
    if (pos + n > b.size()) return std::nullopt;
    f->assign(b.substr(pos, n));
    pos += n;
  }
  return p;
}

}  // namespace user_profile
