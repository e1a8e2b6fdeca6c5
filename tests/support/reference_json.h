// Reading the committed reference fixtures (tests/data/*.json) produced by tools/*.py.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace avss::test {

// Parses tests/data/<name>; FAILs the running test when it is missing or malformed.
nlohmann::json loadReference(const std::string& name);

}  // namespace avss::test
