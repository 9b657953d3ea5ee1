// Time as the IC counts it (nanoseconds since the Unix epoch) and how hubctl shows it: RFC 3339 UTC
// timestamps and short durations, for certificate times, ingress expiry and clock-skew messages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ic/result.h"

namespace agent {

// Nanoseconds since the epoch; tests substitute their own clock.
using Clock = std::function<uint64_t()>;
uint64_t system_clock_ns();

// "2025-11-22T07:34:56.688Z" (milliseconds, UTC).
std::string format_time(uint64_t ns);
// "4 s", "6 min 3 s", "2 h 5 min", "3 days 4 h" (absolute value of the difference).
std::string format_duration(uint64_t ns);
// RFC 3339 ("2025-11-22T07:34:56Z", fractional seconds and a ±hh:mm offset allowed) or an integer count
// of nanoseconds since the epoch.
ic::Result<uint64_t> parse_time(std::string_view text);
// "90s", "5m", "2h", "7d" or plain seconds.
ic::Result<uint64_t> parse_duration(std::string_view text);

}  // namespace agent
