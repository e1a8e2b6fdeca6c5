// Locating the real models for the real-model suites: the sample (AVSS_TEST_MODEL, else the cache) or
// another model that scripts/fetch-model.sh NAME put in the per-user cache.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace avss::test {

// The sample model's path (fileName empty) or the cached model `fileName`, or nullopt with `why` set
// when it is not available.
std::optional<std::filesystem::path> realModelPath(std::string* why = nullptr, const std::string& fileName = {});

// That path; FAILs the running test when unavailable (suites check in main first).
std::filesystem::path requireRealModel(const std::string& fileName = {});

}  // namespace avss::test
