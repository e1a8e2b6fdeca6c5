// Why: safetensors files come straight from model hubs; a hostile header must never lead to a huge
// allocation or a read outside the file. Exercises the header checks and the conversion of (the
// start of) every tensor the engine would read.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "avss/error.h"
#include "fuzz_support.h"
#include "io/dequant.h"
#include "io/ggml_type.h"
#include "io/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static avss::fuzz::ScratchFile file("model.safetensors");
    const auto& path = file.write(data, size);
    try {
        const auto f = avss::io::SafetensorsFile::open(path);
        std::vector<float> out;
        for (const auto& t : f.tensors()) {
            if (t.end == t.begin) continue;
            volatile std::uint8_t sink = f.data(t)[0];  // first and last byte must be inside the mapping
            sink = f.data(t)[t.end - t.begin - 1];
            (void)sink;
            const auto traits = avss::io::ggmlTypeTraits(t.ggmlType());
            if (!traits) continue;
            const std::uint64_t n = std::min<std::uint64_t>(t.elements, 1 << 16);
            out.resize(n);
            avss::io::dequantize(t.ggmlType(), f.data(t), out.data(), n);
        }
    } catch (const avss::Error&) {
        // expected: the file is rejected with a message naming it
    }
    return 0;
}
