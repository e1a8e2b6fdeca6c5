// A loaded language model: metadata, tokenizer and weights ready for the forward pass.
// The facade is torch-free (pimpl); a const Model may be used from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "avss/cancel.h"
#include "avss/device.h"
#include "avss/hyper_params.h"
#include "avss/progress.h"
#include "avss/tokenizer.h"
#include "avss/weight_storage.h"

namespace avss {

struct LoadOptions {
    Device device = Device::Auto;
    WeightStorage weights = WeightStorage::Fp32;
};

struct TensorSummary {
    std::string name;               // as the file spells it, e.g. "blk.0.attn_q.weight"
    std::vector<std::int64_t> shape;  // torch order ([out, in] for a linear weight)
    std::string type;               // "Q4_1", "F32", ...
    std::uint64_t bytes = 0;
};

struct ModelInfo {
    std::filesystem::path path;
    std::string format;        // "gguf"
    std::string name;          // general.name, else the file name
    std::string arch;          // general.architecture, e.g. "llama"
    HyperParams hparams;
    bool tiedEmbeddings = false;
    std::int64_t parameterCount = 0;
    std::int64_t fileBytes = 0;
    std::map<std::string, int> tensorTypeCounts;  // "Q4_1" → 210
    std::vector<TensorSummary> tensors;
    std::vector<std::pair<std::string, std::string>> metadata;  // key → rendered value (arrays shortened)
    std::string fingerprint;   // stable identity of the weights file (see docs/cache-schema.md)
    std::vector<std::string> unusedTensors;  // in the file but not used by the forward pass
    std::string device;        // "cpu" or "cuda:0"
    WeightStorage weightStorage = WeightStorage::Fp32;
    std::uint64_t weightBytes = 0;  // resident weight storage (a tied LM head counted once)
    double loadSeconds = 0.0;
};

class Model {
public:
    // Loads a GGUF file. Throws IoError, FormatError (names the file and the key or tensor),
    // UnsupportedError (architecture, tensor type), Cancelled.
    static std::shared_ptr<const Model> load(const std::filesystem::path& path, const LoadOptions& options = {},
                                             const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);
    ~Model();

    const ModelInfo& info() const;
    const Tokenizer& tokenizer() const;

    struct Impl;  // torch internals, core/src/model/model_impl.h

private:
    friend const Impl& modelImpl(const Model& model);  // core/src/model/model_impl.h: core and its tests only
    friend std::shared_ptr<const Model> wrapModel(std::unique_ptr<Impl> impl);  // model_impl.h: a tuned copy
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Start-up settings, called once by each program's main(): the compute threads (as below, so also
// the default of threads that never set their own) and, with glibc, a heap policy that keeps large
// freed blocks for reuse — otherwise every activation-sized tensor is a fresh mmap whose page faults
// made ops such as softmax 3x slower (measured, docs/engine.md).
void configureProcess(int threads);
// libtorch's intra-op threads (0 = default) for the CALLING thread: libtorch 1.13's OpenMP build sets
// this thread's OpenMP count, and records the value process-wide only for threads that have not run
// a parallel op yet (they adopt the last value set by anyone); running threads keep theirs.
void setComputeThreads(int threads);
// 1. Matrix products run on OpenBLAS's own threads, which use every core; extra OpenMP workers for
// libtorch's element-wise ops spin-wait between parallel regions and stole a third of the forward's
// throughput on 2 cores (docs/benchmarks.md). With OMP_WAIT_POLICY=PASSIVE, more threads pay off.
int defaultComputeThreads();
int computeThreads();  // the calling thread's count

}  // namespace avss
