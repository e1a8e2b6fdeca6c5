// What every PCRE2 user in core shares: the error text and owning match data. Include after
// <pcre2.h> (with PCRE2_CODE_UNIT_WIDTH 8), as the .cpp files that call PCRE2 do.
#pragma once

#include <memory>
#include <string>

namespace avss::util {

inline std::string pcre2Message(int code) {
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

struct MatchDataDeleter {
    void operator()(pcre2_match_data* md) const { pcre2_match_data_free(md); }
};
using MatchData = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

}  // namespace avss::util
