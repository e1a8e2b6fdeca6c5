// Why: an analysis cache file may be damaged on disk, truncated, or replaced by another file.
// The bytes are a cache file; both lookup (never throws for the contents) and --from-cache loading
// (throws avss errors only) run on it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "avss/error.h"
#include "avss/stats_cache.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static avss::fuzz::ScratchFile file("analysis.h5");
    const avss::StatsCache cache(file.write(data, size));
    const auto lookup = cache.find(avss::StatsProvenance{});
    if (!lookup.hit() && lookup.reason.empty()) {
        std::fprintf(stderr, "cache lookup status %s without a reason\n", avss::cacheStatusName(lookup.status));
        std::abort();
    }
    try {
        (void)cache.load();
    } catch (const avss::Error&) {
        // expected: foreign, damaged, truncated or inconsistent files are refused with a message
    }
    return 0;
}
