// main() for real-model suites: exit 77 (CTest "Skipped") with the reason when the model is absent.
// AVSS_REAL_MODEL_FILE (set per suite in tests/CMakeLists.txt) names a cached model other than the sample.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "support/real_model.h"

int main(int argc, char* argv[]) {
    std::string why;
#ifndef AVSS_REAL_MODEL_FILE
#define AVSS_REAL_MODEL_FILE ""
#endif
    if (!avss::test::realModelPath(&why, AVSS_REAL_MODEL_FILE)) {
        std::cout << "SKIPPED: " << why << "\n";
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
