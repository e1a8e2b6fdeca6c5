// K-quant super-blocks against values computed by hand from the block layouts, and against
// gguf-py's dequantisation of random blocks (tests/data/kquant_blocks.gguf, tools/make_kquant_fixture.py).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "io/dequant.h"
#include "io/ggml_type.h"
#include "io/gguf_file.h"

using namespace avss::io;

namespace {
void putHalf(std::vector<std::uint8_t>& b, std::size_t at, float v) {
    const auto h = floatToHalf(v);
    std::memcpy(b.data() + at, &h, 2);
}
std::vector<float> convert(GgmlType t, const std::vector<std::uint8_t>& block) {
    std::vector<float> y(256);
    dequantize(static_cast<std::uint32_t>(t), block.data(), y.data(), 256);
    return y;
}
}  // namespace

TEST_CASE("Q2_K block: 2-bit values, a 4-bit scale and min per 16", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(84, 0);
    putHalf(b, 80, 0.5f);   // d
    putHalf(b, 82, 0.25f);  // dmin
    b[0] = 0x32;            // group 0: scale 2, min 3
    b[2] = b[4] = b[6] = 0x01;
    b[8] = 0x1F;            // group 8 (first of the second 128): scale 15, min 1
    b[16 + 0] = 0xE4;       // q[0] holds 0, 1, 2, 3 at shifts 0, 2, 4, 6
    b[16 + 32] = 0x03;
    const auto y = convert(GgmlType::Q2_K, b);
    CHECK(y[0] == -0.75f);       // 0.5·2·0 − 0.25·3
    CHECK(y[1] == -0.75f);
    CHECK(y[32] == 0.5f);        // shift 2, group 2
    CHECK(y[64] == 1.0f);        // shift 4, group 4
    CHECK(y[96] == 1.5f);        // shift 6, group 6
    CHECK(y[128] == 22.25f);     // 0.5·15·3 − 0.25·1
    CHECK(y[16] == 0.0f);        // group 1 has scale 0 and min 0
}

TEST_CASE("Q3_K block: 6-bit signed scales, the third bit from hmask", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(110, 0);
    putHalf(b, 108, 1.0f);
    b[96 + 0] = 0x05;  // scale 0 low nibble 5 …
    b[96 + 8] = 0x02;  // … high bits 2: (5 | 32) − 32 = 5
    b[96 + 1] = 0x70;  // scale 9 low nibble 7 (scale 1 low nibble 0)
    b[96 + 9] = 0x30;  // scale 9 high bits 3 (bits 4–5); scale 1 high bits 0 → scale 1 = −32
    b[32 + 0] = 0x01;  // q[0] = 1, hmask bit clear → 1 − 4
    b[32 + 48] = 0x02; // second 128: q index 16 + 32, shift 0
    b[16] = 0x10;      // hmask[16] bit 4 (first shift of the second 128) set → no − 4
    const auto y = convert(GgmlType::Q3_K, b);
    CHECK(y[0] == -15.0f);   // 5 · (1 − 4)
    CHECK(y[1] == -20.0f);   // 5 · (0 − 4)
    CHECK(y[16] == 128.0f);  // −32 · (0 − 4): hmask[16] bit 0 is clear
    CHECK(y[144] == 46.0f);  // 23 · 2
}

TEST_CASE("Q4_K block: eight 6-bit scale/min pairs in 12 bytes", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(144, 0);
    putHalf(b, 0, 0.5f);
    putHalf(b, 2, 0.25f);
    b[4 + 0] = 3;            // pair 0 scale
    b[4 + 4] = 2;            // pair 0 min
    b[4 + 1] = 1 | 0x40;     // pair 1 scale 1; top bits give pair 5's scale bit 4
    b[4 + 5] = 0x80;         // pair 1 min 0; top bits give pair 5's min bit 5
    b[4 + 9] = 0x21;         // pair 5 low nibbles: scale 1, min 2
    b[16 + 0] = 0x5A;
    b[16 + 64] = 0x30;
    const auto y = convert(GgmlType::Q4_K, b);
    CHECK(y[0] == 14.5f);    // 0.5·3·10 − 0.25·2
    CHECK(y[32] == 2.5f);    // 0.5·1·5
    CHECK(y[160] == 17.0f);  // pair 5: scale 17, min 34 → 0.5·17·3 − 0.25·34
}

TEST_CASE("Q5_K block: the fifth bit from qh, one bit per 32-run", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(176, 0);
    putHalf(b, 0, 1.0f);
    putHalf(b, 2, 0.0f);
    b[4 + 0] = 1;        // pair 0 scale 1
    b[4 + 11] = 0x02;    // pair 7 scale 2
    b[16 + 0] = 0x81;    // qh[0]: bit 0 (run 0) and bit 7 (run 7)
    b[48 + 0] = 0x0F;
    b[48 + 96] = 0x10;
    const auto y = convert(GgmlType::Q5_K, b);
    CHECK(y[0] == 31.0f);    // 15 + 16
    CHECK(y[1] == 0.0f);
    CHECK(y[224] == 34.0f);  // 2 · (1 + 16)
}

TEST_CASE("Q6_K block: 4+2 bits around 32, int8 scales per 16", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(210, 0);
    putHalf(b, 208, 0.5f);
    auto scale = [&](int i, int v) { b[192 + i] = static_cast<std::uint8_t>(static_cast<std::int8_t>(v)); };
    scale(0, -2);
    scale(2, 3);
    scale(4, 1);
    scale(14, 4);
    b[0] = 0x21;
    b[32] = 0x0F;
    b[128] = 0x06;        // qh[0]: bits 0–1 = 2 (y0), bits 2–3 = 1 (y32), bits 4–5 = 0 (y64)
    b[96] = 0xF0;         // second 128: ql[64 + 32] high nibble
    b[128 + 32] = 0xC0;   // second 128: qh[32] bits 6–7 = 3
    const auto y = convert(GgmlType::Q6_K, b);
    CHECK(y[0] == -1.0f);    // 0.5·(−2)·(33 − 32)
    CHECK(y[32] == -1.5f);   // 0.5·3·(31 − 32)
    CHECK(y[64] == -15.0f);  // 0.5·1·(2 − 32)
    CHECK(y[224] == 62.0f);  // 0.5·4·(63 − 32)
}

TEST_CASE("Q8_K block: an f32 scale times int8", "[dequant][kquant]") {
    std::vector<std::uint8_t> b(292, 0);
    const float d = 0.25f;
    std::memcpy(b.data(), &d, 4);
    b[4] = 0x80;
    b[4 + 255] = 0x7F;
    const auto y = convert(GgmlType::Q8_K, b);
    CHECK(y[0] == -32.0f);
    CHECK(y[255] == 31.75f);
    CHECK(y[1] == 0.0f);
}

TEST_CASE("K-quant blocks equal gguf-py's dequantisation bit for bit", "[dequant][kquant]") {
    const auto f = GgufFile::open(std::string(AVSS_TEST_DATA_DIR) + "/kquant_blocks.gguf");
    for (const char* name : {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"}) {
        SECTION(name) {
            const auto* q = f.findTensor(name);
            const auto* ref = f.findTensor(std::string(name) + ".ref");
            REQUIRE(q != nullptr);
            REQUIRE(ref != nullptr);
            REQUIRE(ggmlTypeName(q->type) == name);
            REQUIRE(q->elements == ref->elements);
            std::vector<float> ours(q->elements), theirs(ref->elements);
            dequantize(q->type, f.tensorData(*q), ours.data(), q->elements);
            dequantize(ref->type, f.tensorData(*ref), theirs.data(), ref->elements);
            int differing = 0;
            for (std::size_t i = 0; i < ours.size(); ++i) differing += ours[i] != theirs[i];
            CHECK(differing == 0);
        }
    }
}
