// The per-machine verdict file of the BLAS kernel self-check: exact round trip, and every damaged,
// foreign or other-machine file read as "no verdict" (so the check runs again), never a crash.
#include <catch2/catch.hpp>

#include <fstream>

#include "avss/error.h"
#include "blas/verdict_cache.h"
#include "support/temp_dir.h"

using namespace avss;
using namespace avss::blas;

namespace {

CpuFeatures epyc() {
    CpuFeatures c;
    c.vendor = "AuthenticAMD";
    c.brand = "AMD EPYC";
    c.flagsHash = 0x1234abcd;
    return c;
}

const char* kConfig = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64";

}  // namespace

TEST_CASE("machine key: CPU and OpenBLAS build, not the kernel set in use") {
    const auto key = machineKey(epyc(), kConfig, "Prescott");
    CHECK(key == "AMD EPYC | flags 1234abcd | OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY MAX_THREADS=64");
    // After the switch OpenBLAS's config names the new core; the key must stay the same.
    CHECK(machineKey(epyc(), "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64", "Zen") == key);
    auto other = epyc();
    other.flagsHash = 0x99;
    CHECK(machineKey(other, kConfig, "Prescott") != key);
    test::TempDir dir;
    CHECK(verdictPath(dir.path(), key).parent_path() == dir.path() / "blas-kernels");
    CHECK(verdictPath(dir.path(), key) != verdictPath(dir.path(), machineKey(other, kConfig, "Prescott")));
}

TEST_CASE("verdict file round trip, in a folder that does not exist yet") {
    test::TempDir dir;
    const auto key = machineKey(epyc(), kConfig, "Prescott");
    const auto file = verdictPath(dir.path(), key);
    CHECK_FALSE(loadVerdict(file, key).has_value());  // no file: no verdict
    saveVerdict(file, key, KernelVerdict{"Zen", true, "Zen 20.1 GFLOP/s vs Prescott 6.5\nsecond line"});
    const auto v = loadVerdict(file, key);
    REQUIRE(v.has_value());
    CHECK(v->candidate == "Zen");
    CHECK(v->adopt);
    CHECK(v->detail == "Zen 20.1 GFLOP/s vs Prescott 6.5 second line");  // kept on one line
    saveVerdict(file, key, KernelVerdict{"Zen", false, "slower"});  // replaced atomically
    const auto again = loadVerdict(file, key);
    REQUIRE(again.has_value());
    CHECK_FALSE(again->adopt);
    CHECK(again->detail == "slower");
    CHECK_FALSE(loadVerdict(file, key + " elsewhere").has_value());  // another machine's key (hash collision)
}

TEST_CASE("damaged verdict files read as no verdict") {
    test::TempDir dir;
    const auto key = machineKey(epyc(), kConfig, "Prescott");
    const auto file = dir / "v.txt";
    const std::string good = "avss-blas-verdict 1\nmachine " + key + "\ncandidate Zen\nadopt yes\ndetail fast\n";
    test::writeText(file, good);
    REQUIRE(loadVerdict(file, key).has_value());
    const std::vector<std::string> damaged = {
        "",                                                               // empty
        good.substr(0, good.size() / 2),                                  // truncated
        "avss-blas-verdict 2\n" + good.substr(good.find('\n') + 1),       // newer format
        "garbage\n",                                                      // foreign
        "avss-blas-verdict 1\nmachine " + key + "\ncandidate Zen\nadopt maybe\ndetail x\n",
        "avss-blas-verdict 1\nmachine " + key + "\ncandidate \nadopt yes\ndetail x\n",
        "avss-blas-verdict 1\nmachine " + key + "\ncandidate Zen\nadopt yes\n",  // a field missing
        "avss-blas-verdict 1\nmachine " + key + "\ncandidateZen\nadopt yes\ndetail x\n",
        std::string("avss-blas-verdict 1\n\0\xff\xfe binary", 30),
    };
    for (const auto& text : damaged) {
        test::writeText(file, text);
        CHECK_FALSE(loadVerdict(file, key).has_value());
    }
    std::filesystem::create_directories(dir / "a-folder");
    CHECK_FALSE(loadVerdict(dir / "a-folder", key).has_value());
}

TEST_CASE("a verdict that cannot be written names the folder") {
    test::TempDir dir;
    test::writeText(dir / "blocker", "a file where the folder should be");
    const auto file = dir / "blocker" / "blas-kernels" / "v.txt";
    try {
        saveVerdict(file, "k", KernelVerdict{"Zen", true, "x"});
        FAIL("expected an IoError");
    } catch (const IoError& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("blocker") && Catch::Matchers::Contains("BLAS kernel verdict"));
    }
}
