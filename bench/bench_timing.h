// Wall-clock helpers the benchmarks share: seconds since a time point, and the best of several runs
// (the machine is shared, so the fastest run is the least disturbed one).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>

namespace avss::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// `f` must leave its result on the host, so that a device has finished when the clock stops.
template <class F>
double bestOf(int reps, F&& f) {
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t = Clock::now();
        f();
        best = std::min(best, seconds(t));
    }
    return best;
}

// A benchmark's main: a bad argument or model file ends with one line naming it, not std::terminate.
template <class F>
int guardedMain(const char* program, F&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}

}  // namespace avss::bench
