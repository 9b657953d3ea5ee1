#include "agent/clock.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace agent {

uint64_t system_clock_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

std::string format_time(uint64_t ns) {
  time_t secs = time_t(ns / 1'000'000'000ull);
  unsigned ms = unsigned(ns / 1'000'000ull % 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string format_duration(uint64_t ns) {
  uint64_t s = ns / 1'000'000'000ull;
  auto two = [](uint64_t a, const char* ua, uint64_t b, const char* ub) {
    std::string out = std::to_string(a) + " " + ua;
    if (b) out += " " + std::to_string(b) + " " + ub;
    return out;
  };
  if (s < 60) return s == 0 ? std::to_string(ns / 1'000'000ull) + " ms" : std::to_string(s) + " s";
  if (s < 3600) return two(s / 60, "min", s % 60, "s");
  if (s < 86400) return two(s / 3600, "h", s / 60 % 60, "min");
  return two(s / 86400, s / 86400 == 1 ? "day" : "days", s / 3600 % 24, "h");
}

namespace {
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

ic::Result<uint64_t> parse_time(std::string_view t) {
  auto bad = [&] {
    return ic::make_error(ic::Errc::invalid_input, "\"" + std::string(t) + "\" is not a time",
                          "use RFC 3339, e.g. 2025-11-22T07:35:00Z, or nanoseconds since the epoch");
  };
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos) {
    uint64_t v = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec != std::errc()) return bad();
    return v;
  }
  int Y, M, D, h, m, s;
  if (!digits(t, 0, 4, Y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, M) || t[7] != '-' ||
      !digits(t, 8, 2, D) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, h) || t[13] != ':' ||
      !digits(t, 14, 2, m) || t[16] != ':' || !digits(t, 17, 2, s))
    return bad();
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60 || Y < 1970) return bad();
  size_t pos = 19;
  uint64_t frac = 0;
  if (pos < t.size() && t[pos] == '.') {
    uint64_t scale = 100'000'000;
    ++pos;
    size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      frac += uint64_t(t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int64_t offset = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om))
      return bad();
    offset = (t[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != t.size()) return bad();
  // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
  int y = Y - (M <= 2);
  int era = y / 400;
  unsigned yoe = unsigned(y - era * 400);
  unsigned doy = unsigned((153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1);
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t(era) * 146097 + int64_t(doe) - 719468;
  int64_t secs = days * 86400 + h * 3600 + m * 60 + s - offset;
  if (secs < 0) return bad();
  return uint64_t(secs) * 1'000'000'000ull + frac;
}

ic::Result<uint64_t> parse_duration(std::string_view t) {
  uint64_t v = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  std::string_view unit(r.ptr, size_t(t.data() + t.size() - r.ptr));
  uint64_t mult = 0;
  if (unit.empty() || unit == "s") mult = 1;
  else if (unit == "m" || unit == "min") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  if (r.ec != std::errc() || r.ptr == t.data() || !mult || v > UINT64_MAX / 1'000'000'000ull / mult)
    return ic::make_error(ic::Errc::invalid_input, "\"" + std::string(t) + "\" is not a duration",
                          "use e.g. 90s, 5m, 2h or 7d");
  return v * mult * 1'000'000'000ull;
}

}  // namespace agent
