// SHA-256 against FIPS 180-4 test vectors.
#include <catch2/catch.hpp>

#include <string>

#include "util/sha256.h"

TEST_CASE("sha256 matches the FIPS 180-4 vectors", "[sha256]") {
    using avss::util::sha256Hex;
    CHECK(sha256Hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256Hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(sha256Hex(two.data(), two.size()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million(1000000, 'a');
    CHECK(sha256Hex(million.data(), million.size()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 gives the same digest whatever the update chunking", "[sha256]") {
    std::string data;
    for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7 + 3);
    const auto whole = avss::util::sha256Hex(data.data(), data.size());
    for (std::size_t chunk : {1u, 3u, 63u, 64u, 65u, 500u}) {
        avss::util::Sha256 h;
        for (std::size_t pos = 0; pos < data.size(); pos += chunk) h.update(data.data() + pos, std::min(chunk, data.size() - pos));
        CHECK(h.finishHex() == whole);
    }
}
