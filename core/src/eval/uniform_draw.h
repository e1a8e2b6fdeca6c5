// An unbiased integer in [0, n) from std::mt19937_64 by rejection. std::uniform_int_distribution
// is not used: its algorithm differs between standard libraries, this one gives the same numbers
// on every machine (mt19937_64's output sequence is fixed by the standard).
#pragma once

#include <cstdint>
#include <random>

namespace avss::eval {

inline std::uint64_t uniformBelow(std::mt19937_64& generator, std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n: the draws below it would bias the low values
    for (;;) {
        const std::uint64_t r = generator();
        if (r >= threshold) return r % n;
    }
}

}  // namespace avss::eval
