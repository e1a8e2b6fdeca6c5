// Replays the committed fuzz inputs (seeds and regressions of past findings) through a target's
// LLVMFuzzerTestOneInput in a normal build, so every finding stays fixed without clang or libFuzzer.
// Usage: test_fuzz_replay_<target> DIR...; fails when a folder holds no input at all.
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// libFuzzer reports allocations past -rss_limit_mb=2048; here a 4 GiB address-space cap turns one
// into std::bad_alloc, which escapes the target and fails the test. ASan needs its huge shadow
// mapping, so sanitizer builds rely on ASan's own allocation limit instead.
void capMemory() {
#if !defined(__SANITIZE_ADDRESS__)
    const rlimit limit{rlim_t{4} << 30, rlim_t{4} << 30};
    setrlimit(RLIMIT_AS, &limit);
#endif
}

std::vector<std::uint8_t> readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR...\n", argv[0]);
        return 2;
    }
    capMemory();
    for (int a = 1; a < argc; ++a) {
        std::vector<std::filesystem::path> inputs;
        for (const auto& e : std::filesystem::recursive_directory_iterator(argv[a])) {
            if (e.is_regular_file() && e.path().filename() != "README.md") inputs.push_back(e.path());
        }
        std::sort(inputs.begin(), inputs.end());
        if (inputs.empty()) {
            std::fprintf(stderr, "%s: no inputs to replay\n", argv[a]);
            return 1;
        }
        for (const auto& p : inputs) {
            std::printf("replaying %s\n", p.c_str());
            std::fflush(stdout);  // a crash then names the input
            const auto bytes = readAll(p);
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
        }
        std::printf("%s: %zu inputs replayed\n", argv[a], inputs.size());
    }
    return 0;
}
