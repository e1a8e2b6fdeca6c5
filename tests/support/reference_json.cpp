// Fixture loading for the parity tests.
#include "support/reference_json.h"

#include <catch2/catch.hpp>

#include <fstream>

namespace avss::test {

nlohmann::json loadReference(const std::string& name) {
    const std::string path = std::string(AVSS_TEST_DATA_DIR) + "/" + name;
    std::ifstream in(path);
    if (!in) FAIL("reference fixture missing: " << path);
    try {
        return nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        FAIL("reference fixture " << path << " is malformed: " << e.what());
    }
    return {};
}

}  // namespace avss::test
