// cpuid/xgetbv probing (x86 only; elsewhere every feature reads as absent).
#include "blas/cpu_features.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define AVSS_HAVE_CPUID 1
#endif

namespace avss::blas {
namespace {

#ifdef AVSS_HAVE_CPUID
// xgetbv by opcode: the intrinsic needs -mxsave for the whole file, which would let the compiler use it anywhere.
std::uint64_t readXcr0() {
    std::uint32_t eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (std::uint64_t(edx) << 32) | eax;
}

std::uint64_t mix(std::uint64_t h, std::uint32_t word) { return (h ^ word) * 0x100000001b3ULL; }  // FNV-1a step
#endif

}  // namespace

std::string CpuFeatures::summary() const {
    std::string s;
    if (avx512Usable()) s = "AVX-512 (F, BW, VL, DQ), ";
    else if (avx512f) s = "AVX-512F (incomplete or not enabled by the OS), ";
    if (avx2 && fma) s += osSavesYmm ? "AVX2, FMA" : "AVX2, FMA (not enabled by the OS)";
    else if (avx) s += "AVX";
    return s.empty() ? "SSE only" : s;
}

std::string CpuFeatures::bf16Summary() const {
    if (!avx512Usable()) return "none";
    if (amxBf16) return "AMX-BF16";
    if (avx512bf16) return "AVX512-BF16";
    return "AVX-512 (bf16 emulated)";
}

CpuFeatures readCpuFeatures() {
    CpuFeatures f;
#ifdef AVSS_HAVE_CPUID
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
    const unsigned maxLeaf = a;
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    f.vendor = vendor;
    std::uint64_t h = 0xcbf29ce484222325ULL;
    __get_cpuid(1, &a, &b, &c, &d);
    h = mix(mix(mix(h, a), c), d);  // family/model/stepping and the SSE..AVX flags
    const bool osxsave = (c >> 27) & 1;
    std::uint64_t xcr0 = 0;
    f.avx = (c >> 28) & 1;
    f.fma = (c >> 12) & 1;
    if (osxsave) {
        xcr0 = readXcr0();
        f.osSavesYmm = (xcr0 & 0x6) == 0x6;     // XMM and YMM state
        f.osSavesZmm = (xcr0 & 0xe0) == 0xe0;   // opmask, ZMM_Hi256, Hi16_ZMM state
    }
    if (maxLeaf >= 7) {
        __get_cpuid_count(7, 0, &a, &b, &c, &d);
        h = mix(mix(mix(h, b), c), d);
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
        f.avx512dq = (b >> 17) & 1;
        f.avx512bw = (b >> 30) & 1;
        f.avx512vl = (b >> 31) & 1;
        f.amxBf16 = ((d >> 22) & 1) && (xcr0 & 0x60000) == 0x60000;  // and the OS keeps the tile state
        if (a >= 1) {
            unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
            __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1);
            f.avx512bf16 = (a1 >> 5) & 1;
        }
    }
    f.flagsHash = h;
    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
        char brand[49] = {};
        for (unsigned leaf = 0; leaf < 3; ++leaf) {
            __get_cpuid(0x80000002 + leaf, &a, &b, &c, &d);
            std::memcpy(brand + 16 * leaf, &a, 4);
            std::memcpy(brand + 16 * leaf + 4, &b, 4);
            std::memcpy(brand + 16 * leaf + 8, &c, 4);
            std::memcpy(brand + 16 * leaf + 12, &d, 4);
        }
        std::string s = brand;
        const auto first = s.find_first_not_of(' '), last = s.find_last_not_of(' ');
        f.brand = first == std::string::npos ? "" : s.substr(first, last - first + 1);
    }
#endif
    return f;
}

}  // namespace avss::blas
