// Locating the real sample model for the opt-in real-model suites (AVSS_TEST_MODEL, else the cache).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace avss::test {

// The sample model's path, or nullopt with `why` set when it is not available.
std::optional<std::filesystem::path> realModelPath(std::string* why = nullptr);

// Path of the sample model; FAILs the running test when unavailable (suites check in main first).
std::filesystem::path requireRealModel();

}  // namespace avss::test
