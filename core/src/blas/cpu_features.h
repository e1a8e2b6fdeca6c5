// What the processor and the operating system let BLAS kernels use, read with cpuid and xgetbv.
#pragma once

#include <cstdint>
#include <string>

namespace avss::blas {

struct CpuFeatures {
    std::string vendor;  // "GenuineIntel", "AuthenticAMD", "HygonGenuine"; empty off x86
    std::string brand;   // "AMD EPYC 7B13 64-Core Processor"
    bool avx = false, avx2 = false, fma = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
    bool avx512bf16 = false, amxBf16 = false;  // native bf16 dot products (AVX512_BF16) and AMX tiles
    bool osSavesYmm = false;  // XCR0: the kernel saves AVX registers on a context switch
    bool osSavesZmm = false;  // XCR0: ... and the AVX-512 ones
    std::uint64_t flagsHash = 0;  // of the raw feature words, so a changed CPU or VM gets a new verdict

    bool avx2Usable() const { return avx2 && fma && osSavesYmm; }
    bool avx512Usable() const { return avx512f && avx512bw && avx512vl && avx512dq && osSavesYmm && osSavesZmm; }
    // bf16 products through oneDNN need AVX-512 (BW, VL, DQ), as libtorch checks; native bf16 or AMX make them fast.
    std::string bf16Summary() const;  // "AMX-BF16", "AVX512-BF16", "AVX-512 (bf16 emulated)" or "none"
    bool isAmd() const { return vendor == "AuthenticAMD" || vendor == "HygonGenuine"; }
    std::string summary() const;  // "AVX2, FMA" / "AVX-512 (F, BW, VL, DQ), AVX2, FMA" / "SSE only"
};

CpuFeatures readCpuFeatures();

}  // namespace avss::blas
