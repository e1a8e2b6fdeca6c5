// The current time as ISO 8601 UTC ("2026-12-06T13:41:37Z"): when an analysis was made.
#pragma once

#include <ctime>
#include <string>

namespace avss {

inline std::string utcTimestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace avss
