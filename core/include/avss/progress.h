// Coarse progress reports (per batch or per tensor) from long core calls to the CLI or a UI worker.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace avss {

struct Progress {
    std::string stage;       // "loading", "tokenizing", "analysing", ...
    std::int64_t done = 0;   // units of work finished (tokens, tensors, ...)
    std::int64_t total = 0;  // 0 when unknown
    std::string unit;        // "tokens", "tensors", ...
};

using ProgressFn = std::function<void(const Progress&)>;  // may be empty; called on the working thread

inline void report(const ProgressFn& fn, const Progress& p) {
    if (fn) fn(p);
}

}  // namespace avss
