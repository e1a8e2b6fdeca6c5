// Block dequantisation (formulas from ggml's ggml-quants.c dequantize_row_* functions).
#include "io/dequant.h"

#include <cstring>
#include <string>

#include "avss/error.h"
#include "io/dequant_k.h"
#include "io/ggml_type.h"

namespace avss::io {
namespace {

std::uint16_t readU16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

float bitsToFloat(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

void dequantF32(const std::uint8_t* src, float* dst, std::uint64_t n) { std::memcpy(dst, src, n * 4); }

void dequantF16(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) dst[i] = halfToFloat(readU16(src + 2 * i));
}

void dequantBF16(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(readU16(src + 2 * i));
}

// Q8_0: f16 d, int8 qs[32]; y = d * q.
void dequantQ8_0(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t b = 0; b < n / 32; ++b, src += 34, dst += 32) {
        const float d = halfToFloat(readU16(src));
        const auto* qs = reinterpret_cast<const std::int8_t*>(src + 2);
        for (int e = 0; e < 32; ++e) dst[e] = d * static_cast<float>(qs[e]);
    }
}

// Q4_0: f16 d, u8 qs[16]; element e<16 is the low nibble of qs[e], e>=16 the high nibble of qs[e-16].
void dequantQ4_0(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t b = 0; b < n / 32; ++b, src += 18, dst += 32) {
        const float d = halfToFloat(readU16(src));
        const std::uint8_t* qs = src + 2;
        for (int e = 0; e < 16; ++e) {
            dst[e] = d * static_cast<float>((qs[e] & 0x0F) - 8);
            dst[e + 16] = d * static_cast<float>((qs[e] >> 4) - 8);
        }
    }
}

// Q4_1: f16 d, f16 m, u8 qs[16]; y = d * q + m.
void dequantQ4_1(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t b = 0; b < n / 32; ++b, src += 20, dst += 32) {
        const float d = halfToFloat(readU16(src));
        const float m = halfToFloat(readU16(src + 2));
        const std::uint8_t* qs = src + 4;
        for (int e = 0; e < 16; ++e) {
            dst[e] = d * static_cast<float>(qs[e] & 0x0F) + m;
            dst[e + 16] = d * static_cast<float>(qs[e] >> 4) + m;
        }
    }
}

// Q5_0: f16 d, u32 qh, u8 qs[16]; fifth bit of element e is bit e of qh; y = d * (q - 16).
void dequantQ5_0(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t b = 0; b < n / 32; ++b, src += 22, dst += 32) {
        const float d = halfToFloat(readU16(src));
        std::uint32_t qh;
        std::memcpy(&qh, src + 2, 4);
        const std::uint8_t* qs = src + 6;
        for (int e = 0; e < 16; ++e) {
            const int lo = (qs[e] & 0x0F) | static_cast<int>(((qh >> e) & 1u) << 4);
            const int hi = (qs[e] >> 4) | static_cast<int>(((qh >> (e + 16)) & 1u) << 4);
            dst[e] = d * static_cast<float>(lo - 16);
            dst[e + 16] = d * static_cast<float>(hi - 16);
        }
    }
}

// Q5_1: f16 d, f16 m, u32 qh, u8 qs[16]; y = d * q + m.
void dequantQ5_1(const std::uint8_t* src, float* dst, std::uint64_t n) {
    for (std::uint64_t b = 0; b < n / 32; ++b, src += 24, dst += 32) {
        const float d = halfToFloat(readU16(src));
        const float m = halfToFloat(readU16(src + 2));
        std::uint32_t qh;
        std::memcpy(&qh, src + 4, 4);
        const std::uint8_t* qs = src + 8;
        for (int e = 0; e < 16; ++e) {
            const int lo = (qs[e] & 0x0F) | static_cast<int>(((qh >> e) & 1u) << 4);
            const int hi = (qs[e] >> 4) | static_cast<int>(((qh >> (e + 16)) & 1u) << 4);
            dst[e] = d * static_cast<float>(lo) + m;
            dst[e + 16] = d * static_cast<float>(hi) + m;
        }
    }
}

}  // namespace

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1Fu;
    std::uint32_t mant = h & 0x3FFu;
    if (exp == 0) {
        if (mant == 0) return bitsToFloat(sign);
        int e = -1;  // normalise the subnormal
        do {
            ++e;
            mant <<= 1;
        } while ((mant & 0x400u) == 0);
        mant &= 0x3FFu;
        return bitsToFloat(sign | static_cast<std::uint32_t>(127 - 15 - e) << 23 | mant << 13);
    }
    if (exp == 0x1F) return bitsToFloat(sign | 0x7F800000u | mant << 13);  // inf / NaN
    return bitsToFloat(sign | (exp + 127 - 15) << 23 | mant << 13);
}

float bf16ToFloat(std::uint16_t h) { return bitsToFloat(static_cast<std::uint32_t>(h) << 16); }

std::uint16_t floatToHalf(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t absx = x & 0x7FFFFFFFu;
    if (absx >= 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7C00u | (absx > 0x7F800000u ? 0x200u : 0u));
    if (absx >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds to inf
    if (absx < 0x38800000u) {  // subnormal or zero in half precision
        if (absx < 0x33000000u) return static_cast<std::uint16_t>(sign);
        const std::uint32_t e = absx >> 23;
        const std::uint32_t m = (absx & 0x7FFFFFu) | 0x800000u;
        const std::uint32_t shift = 126 - e;  // 14..24
        std::uint32_t half = m >> shift;
        const std::uint32_t rem = m & ((1u << shift) - 1);
        const std::uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) ++half;
        return static_cast<std::uint16_t>(sign | half);
    }
    std::uint32_t half = ((absx >> 23) - 112) << 10 | ((absx >> 13) & 0x3FFu);
    const std::uint32_t rem = absx & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent: correct
    return static_cast<std::uint16_t>(sign | half);
}

void dequantize(std::uint32_t type, const std::uint8_t* src, float* dst, std::uint64_t elements) {
    switch (static_cast<GgmlType>(type)) {
        case GgmlType::F32: return dequantF32(src, dst, elements);
        case GgmlType::F16: return dequantF16(src, dst, elements);
        case GgmlType::BF16: return dequantBF16(src, dst, elements);
        case GgmlType::Q8_0: return dequantQ8_0(src, dst, elements);
        case GgmlType::Q4_0: return dequantQ4_0(src, dst, elements);
        case GgmlType::Q4_1: return dequantQ4_1(src, dst, elements);
        case GgmlType::Q5_0: return dequantQ5_0(src, dst, elements);
        case GgmlType::Q5_1: return dequantQ5_1(src, dst, elements);
        default:
            if (dequantizeK(type, src, dst, elements)) return;
            break;
    }
    throw UnsupportedError({}, "tensor type " + ggmlTypeName(type) + " cannot be dequantized yet",
                           "Supported: " + dequantizableTypeNames() + ".");
}

}  // namespace avss::io
