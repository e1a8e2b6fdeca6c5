// Dequantisation of each block type against values computed by hand from the block layout.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "avss/error.h"
#include "io/dequant.h"
#include "io/ggml_type.h"

using namespace avss::io;

namespace {
void putHalf(std::vector<std::uint8_t>& b, std::size_t at, float v) {
    const auto h = floatToHalf(v);
    std::memcpy(b.data() + at, &h, 2);
}
std::uint32_t id(GgmlType t) { return static_cast<std::uint32_t>(t); }
}  // namespace

TEST_CASE("half precision converts exactly both ways", "[dequant]") {
    for (std::uint32_t h = 0; h < 65536; ++h) {
        const float f = halfToFloat(static_cast<std::uint16_t>(h));
        if (std::isnan(f)) continue;
        REQUIRE(floatToHalf(f) == h);
    }
    CHECK(halfToFloat(0x3C00) == 1.0f);
    CHECK(halfToFloat(0xC000) == -2.0f);
    CHECK(halfToFloat(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
    CHECK(std::isinf(halfToFloat(0x7C00)));
    CHECK(floatToHalf(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie rounds to even
    CHECK(bf16ToFloat(0x3F80) == 1.0f);
}

TEST_CASE("Q4_0 block", "[dequant]") {
    std::vector<std::uint8_t> b(18, 0);
    putHalf(b, 0, 0.5f);
    for (int e = 0; e < 16; ++e) b[2 + e] = static_cast<std::uint8_t>((e & 0xF) | ((15 - e) << 4));
    std::vector<float> y(32);
    dequantize(id(GgmlType::Q4_0), b.data(), y.data(), 32);
    for (int e = 0; e < 16; ++e) {
        CHECK(y[e] == 0.5f * static_cast<float>(e - 8));
        CHECK(y[e + 16] == 0.5f * static_cast<float>(15 - e - 8));
    }
}

TEST_CASE("Q4_1 block", "[dequant]") {
    std::vector<std::uint8_t> b(40, 0);  // two blocks
    putHalf(b, 0, 0.25f);
    putHalf(b, 2, -1.0f);
    for (int e = 0; e < 16; ++e) b[4 + e] = static_cast<std::uint8_t>(e | (e << 4));
    putHalf(b, 20, 2.0f);
    putHalf(b, 22, 3.0f);
    b[24] = 0xF1;
    std::vector<float> y(64);
    dequantize(id(GgmlType::Q4_1), b.data(), y.data(), 64);
    for (int e = 0; e < 16; ++e) {
        CHECK(y[e] == 0.25f * static_cast<float>(e) - 1.0f);
        CHECK(y[e + 16] == 0.25f * static_cast<float>(e) - 1.0f);
    }
    CHECK(y[32] == 2.0f * 1 + 3.0f);
    CHECK(y[48] == 2.0f * 15 + 3.0f);
    CHECK(y[33] == 3.0f);
}

TEST_CASE("Q8_0 block", "[dequant]") {
    std::vector<std::uint8_t> b(34, 0);
    putHalf(b, 0, 0.125f);
    for (int e = 0; e < 32; ++e) b[2 + e] = static_cast<std::uint8_t>(static_cast<std::int8_t>(e * 8 - 128));
    std::vector<float> y(32);
    dequantize(id(GgmlType::Q8_0), b.data(), y.data(), 32);
    for (int e = 0; e < 32; ++e) CHECK(y[e] == 0.125f * static_cast<float>(e * 8 - 128));
}

TEST_CASE("Q5_0 and Q5_1 blocks use the high bits from qh", "[dequant]") {
    std::vector<std::uint8_t> b0(22, 0);
    putHalf(b0, 0, 1.0f);
    const std::uint32_t qh = 0x80000001u;  // element 0 and element 31 get bit 4
    std::memcpy(b0.data() + 2, &qh, 4);
    b0[6] = 0x03;       // element 0 low nibble 3, element 16 nibble 0
    b0[6 + 15] = 0x70;  // element 31 (high nibble of qs[15]) = 7
    std::vector<float> y(32);
    dequantize(id(GgmlType::Q5_0), b0.data(), y.data(), 32);
    CHECK(y[0] == static_cast<float>((3 | 16) - 16));
    CHECK(y[16] == -16.0f);
    CHECK(y[31] == static_cast<float>((7 | 16) - 16));
    CHECK(y[1] == -16.0f);

    std::vector<std::uint8_t> b1(24, 0);
    putHalf(b1, 0, 0.5f);
    putHalf(b1, 2, 1.0f);
    std::memcpy(b1.data() + 4, &qh, 4);
    b1[8] = 0x03;
    dequantize(id(GgmlType::Q5_1), b1.data(), y.data(), 32);
    CHECK(y[0] == 0.5f * 19 + 1.0f);
    CHECK(y[1] == 1.0f);
    CHECK(y[31] == 0.5f * 16 + 1.0f);
}

TEST_CASE("plain types and unsupported types", "[dequant]") {
    const std::vector<std::uint16_t> halves{0x3C00, 0xBC00};
    std::vector<float> y(2);
    dequantize(id(GgmlType::F16), reinterpret_cast<const std::uint8_t*>(halves.data()), y.data(), 2);
    CHECK(y == std::vector<float>{1.0f, -1.0f});
    const std::vector<std::uint16_t> bf{0x4000, 0xC040};
    dequantize(id(GgmlType::BF16), reinterpret_cast<const std::uint8_t*>(bf.data()), y.data(), 2);
    CHECK(y == std::vector<float>{2.0f, -3.0f});
    std::vector<std::uint8_t> k(144, 0);
    std::vector<float> out(256);
    CHECK_THROWS_AS(dequantize(id(GgmlType::Q8_1), k.data(), out.data(), 32), avss::UnsupportedError);  // an intermediate type of ggml, never stored as weights
}
