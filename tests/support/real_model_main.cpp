// main() for real-model suites: exit 77 (CTest "Skipped") with the reason when the model is absent.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include "support/real_model.h"

int main(int argc, char* argv[]) {
    std::string why;
    if (!avss::test::realModelPath(&why)) {
        std::cout << "SKIPPED: " << why << "\n";
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
