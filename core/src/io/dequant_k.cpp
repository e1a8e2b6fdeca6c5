// K-quant super-blocks (layouts and formulas from ggml's block_q*_K structs and dequantize_row_q*_K).
// Every product is formed as (d · scale) · q − (dmin · min) in fp32, the order ggml and gguf-py use,
// so the converted weights match theirs bit for bit.
#include "io/dequant_k.h"

#include <cstring>

#include "io/dequant.h"
#include "io/ggml_type.h"

namespace avss::io {
namespace {

constexpr int kBlock = 256;

float halfAt(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
}

// Q4_K and Q5_K pack eight 6-bit (scale, min) pairs into 12 bytes: pairs 0–3 in the low six bits of
// bytes 0–7, pairs 4–7 as a nibble of bytes 8–11 plus the top two bits of bytes 0–7.
void scaleMin6(int j, const std::uint8_t* s, int& scale, int& min) {
    if (j < 4) {
        scale = s[j] & 63;
        min = s[j + 4] & 63;
    } else {
        scale = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// Q2_K (84 bytes): u8 scales[16] (low nibble scale, high nibble min), u8 qs[64] (2 bits), f16 d, f16 dmin.
void q2K(const std::uint8_t* b, float* y) {
    const std::uint8_t* scales = b;
    const std::uint8_t* q = b + 16;
    const float d = halfAt(b + 80);
    const float dmin = halfAt(b + 82);
    int is = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int part = 0; part < 2; ++part) {
                const std::uint8_t sc = scales[is++];
                const float dl = d * static_cast<float>(sc & 0x0F);
                const float ml = dmin * static_cast<float>(sc >> 4);
                for (int l = 0; l < 16; ++l) *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
            }
        }
    }
}

// Q3_K (110 bytes): u8 hmask[32] (third bit), u8 qs[64] (low 2 bits), 16 6-bit scales in 12 bytes, f16 d.
// A value is d · (scale − 32) · (q − 4 when its hmask bit is clear, else q).
void q3K(const std::uint8_t* b, float* y) {
    const std::uint8_t* hm = b;
    const std::uint8_t* q = b + 32;
    const std::uint8_t* s = b + 96;
    const float d = halfAt(b + 108);
    int scales[16];
    for (int k = 0; k < 16; ++k) {
        const int low = k < 8 ? (s[k] & 0x0F) : (s[k - 8] >> 4);
        const int high = (s[8 + k % 4] >> (2 * (k / 4))) & 3;
        scales[k] = (low | (high << 4)) - 32;
    }
    int is = 0;
    std::uint8_t mask = 1;
    for (int half = 0; half < 2; ++half, q += 32) {
        for (int shift = 0; shift < 8; shift += 2, mask = static_cast<std::uint8_t>(mask << 1)) {
            for (int part = 0; part < 2; ++part) {
                const float dl = d * static_cast<float>(scales[is++]);
                for (int l = 16 * part; l < 16 * part + 16; ++l) {
                    const int v = ((q[l] >> shift) & 3) - ((hm[l] & mask) ? 0 : 4);
                    *y++ = dl * static_cast<float>(v);
                }
            }
        }
    }
}

// Q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, u8 qs[128] (4 bits).
// Q5_K (176 bytes): the same plus u8 qh[32] before qs, whose bit pairs give each 32-run its fifth bit.
void q45K(const std::uint8_t* b, float* y, bool fiveBit) {
    const float d = halfAt(b);
    const float dmin = halfAt(b + 2);
    const std::uint8_t* s = b + 4;
    const std::uint8_t* qh = b + 16;
    const std::uint8_t* q = fiveBit ? b + 48 : b + 16;
    for (int j = 0; j < 4; ++j, q += 32) {
        for (int nib = 0; nib < 2; ++nib) {
            int sc = 0, mn = 0;
            scaleMin6(2 * j + nib, s, sc, mn);
            const float dl = d * static_cast<float>(sc);
            const float ml = dmin * static_cast<float>(mn);
            const int bit = 2 * j + nib;
            for (int l = 0; l < 32; ++l) {
                int v = nib == 0 ? (q[l] & 0x0F) : (q[l] >> 4);
                if (fiveBit && ((qh[l] >> bit) & 1)) v += 16;
                *y++ = dl * static_cast<float>(v) - ml;
            }
        }
    }
}

// Q6_K (210 bytes): u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits), i8 scales[16], f16 d; y = d·scale·(q − 32).
void q6K(const std::uint8_t* b, float* y) {
    const std::uint8_t* ql = b;
    const std::uint8_t* qh = b + 128;
    const auto* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    const float d = halfAt(b + 208);
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
    }
}

// Q8_K (292 bytes): f32 d, i8 qs[256], i16 bsums[16] (sums for dot products, not needed here).
void q8K(const std::uint8_t* b, float* y) {
    float d;
    std::memcpy(&d, b, 4);
    const auto* q = reinterpret_cast<const std::int8_t*>(b + 4);
    for (int l = 0; l < kBlock; ++l) y[l] = d * static_cast<float>(q[l]);
}

template <typename Fn>
void eachBlock(const std::uint8_t* src, float* dst, std::uint64_t elements, std::uint32_t blockBytes, Fn fn) {
    for (std::uint64_t b = 0; b < elements / kBlock; ++b) fn(src + b * blockBytes, dst + b * kBlock);
}

}  // namespace

bool dequantizeK(std::uint32_t type, const std::uint8_t* src, float* dst, std::uint64_t elements) {
    const auto traits = ggmlTypeTraits(type);
    if (!traits) return false;
    const std::uint32_t bytes = traits->blockBytes;
    switch (traits->type) {
        case GgmlType::Q2_K: eachBlock(src, dst, elements, bytes, q2K); return true;
        case GgmlType::Q3_K: eachBlock(src, dst, elements, bytes, q3K); return true;
        case GgmlType::Q4_K:
            eachBlock(src, dst, elements, bytes, [](const std::uint8_t* b, float* y) { q45K(b, y, false); });
            return true;
        case GgmlType::Q5_K:
            eachBlock(src, dst, elements, bytes, [](const std::uint8_t* b, float* y) { q45K(b, y, true); });
            return true;
        case GgmlType::Q6_K: eachBlock(src, dst, elements, bytes, q6K); return true;
        case GgmlType::Q8_K: eachBlock(src, dst, elements, bytes, q8K); return true;
        default: return false;
    }
}

}  // namespace avss::io
