// Small string predicates shared by the name tables and exports.
#pragma once

#include <string_view>

namespace avss::util {

inline bool endsWith(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

}  // namespace avss::util
