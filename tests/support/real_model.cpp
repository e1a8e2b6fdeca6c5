// Sample-model lookup for tests: the environment is read here and in main(), nowhere in the core.
#include "support/real_model.h"

#include <catch2/catch.hpp>

#include <cstdlib>

#include "avss/paths.h"

namespace avss::test {

std::optional<std::filesystem::path> realModelPath(std::string* why, const std::string& fileName) {
    std::filesystem::path p;
    if (!fileName.empty()) {
        p = cacheDirFromEnvironment() / "models" / fileName;
    } else if (const char* env = std::getenv("AVSS_TEST_MODEL"); env != nullptr && *env != '\0') {
        p = env;
    } else {
        p = sampleModelPath(cacheDirFromEnvironment());
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) {
        if (why) {
            *why = (fileName.empty() ? "sample model not found at " + p.string() + " (run scripts/fetch-model.sh or set AVSS_TEST_MODEL)"
                                     : "model not found at " + p.string() + " (run scripts/fetch-model.sh with its name)");
        }
        return std::nullopt;
    }
    return p;
}

std::filesystem::path requireRealModel(const std::string& fileName) {
    std::string why;
    auto p = realModelPath(&why, fileName);
    if (!p) FAIL(why);
    return *p;
}

}  // namespace avss::test
