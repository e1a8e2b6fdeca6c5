// Model::load: GGUF file or Hugging Face folder → architecture row → hyper-parameters → tokenizer →
// weights (through one TensorSource), plus ModelInfo.
#include <torch/torch.h>

#include <chrono>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "avss/error.h"
#include "io/ggml_type.h"
#include "io/gguf_file.h"
#include "io/hf_checkpoint.h"
#include "model/hf_model.h"
#include "model/hf_tensor_source.h"
#include "model/model_impl.h"
#include "model/weights.h"
#include "tokenizer/gguf_tokenizer.h"
#include "util/sha256.h"

namespace avss {
namespace {

#ifdef __GLIBC__
constexpr int kReuseBelow = 1 << 30;  // configureProcess's heap policy (see model.h)
bool g_reuseHeap = false;

// While weights load, blocks of 16 MiB and more are fresh mappings returned on free: the loader's
// fp32 temporaries kept in the heap fragmented it (loading an 8B-shape model as q8 grew to 22 GB
// for 8.6 GB of weights; 12 GB with this). The forward pass's reuse policy comes back afterwards.
class LoadingHeapPolicy {
public:
    LoadingHeapPolicy() {
        if (g_reuseHeap) mallopt(M_MMAP_THRESHOLD, 16 << 20);
    }
    ~LoadingHeapPolicy() {
        if (g_reuseHeap) mallopt(M_MMAP_THRESHOLD, kReuseBelow);
    }
    LoadingHeapPolicy(const LoadingHeapPolicy&) = delete;
    LoadingHeapPolicy& operator=(const LoadingHeapPolicy&) = delete;
};
#else
struct LoadingHeapPolicy {};
#endif

// Identity of a weights file without hashing gigabytes (util::updateSampled).
std::string fingerprint(const io::GgufFile& f) {
    util::Sha256 h;
    util::updateSampled(h, f.bytes(), f.fileSize(), f.dataOffset());
    return h.finishHex();
}

c10::Device pickDevice(Device d, const std::filesystem::path& path) {
    const bool cuda = torch::cuda::is_available();
    if (d == Device::Cuda && !cuda) {
        throw UnsupportedError(path, "CUDA was requested but this libtorch build has no CUDA or no GPU is visible",
                               "Use the CPU device, or build against a CUDA libtorch (-DTorch_DIR).", {Setting::Device});
    }
    return (d == Device::Cuda || (d == Device::Auto && cuda)) ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
}

void fillInfo(ModelInfo& info, const io::GgufFile& f) {
    info.path = f.path();
    info.format = "gguf";
    info.arch = f.getString("general.architecture").value_or("");
    info.name = f.getString("general.name").value_or(f.path().filename().string());
    info.fileBytes = static_cast<std::int64_t>(f.fileSize());
    for (const auto& t : f.tensors()) {
        const auto type = io::ggmlTypeName(t.type);
        ++info.tensorTypeCounts[type];
        info.tensors.push_back(TensorSummary{t.name, t.torchShape(), type, t.bytes});
    }
    for (const auto& [key, value] : f.metadata()) info.metadata.emplace_back(key, value.toString());
    info.fingerprint = fingerprint(f);
}

// Device, storage and weights: the same for every source format.
std::shared_ptr<const Model> finishLoad(std::unique_ptr<Model::Impl> impl, model::TensorSource& src, const LoadOptions& options,
                                        std::chrono::steady_clock::time_point start) {
    impl->device = pickDevice(options.device, src.path());
    if (const auto refusal = model::storageRefusal(options.weights, impl->device, blas::readCpuFeatures()); !refusal.problem.empty()) {
        throw UnsupportedError(src.path(), refusal.problem, refusal.remedy, {Setting::Weights, Setting::Device});
    }
    model::LoadedWeights loaded;
    {
        const LoadingHeapPolicy heap;
        loaded = model::loadWeights(src, *impl->arch, impl->hp, impl->device, options.weights);
    }
    impl->weights = std::move(loaded.weights);
    impl->info.parameterCount = loaded.parameterCount;
    impl->info.tiedEmbeddings = loaded.tiedEmbeddings;
    impl->info.unusedTensors = std::move(loaded.unusedTensors);
    impl->info.weightStorage = options.weights;
    impl->info.weightBytes = loaded.weightBytes;
    impl->info.device = impl->device.str();
    impl->info.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return wrapModel(std::move(impl));
}

}  // namespace

Model::Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Model::~Model() = default;

std::shared_ptr<const Model> wrapModel(std::unique_ptr<Model::Impl> impl) { return std::shared_ptr<const Model>(new Model(std::move(impl))); }

const ModelInfo& Model::info() const { return m_impl->info; }
const Tokenizer& Model::tokenizer() const { return *m_impl->tokenizer; }

std::shared_ptr<const Model> Model::load(const std::filesystem::path& path, const LoadOptions& options,
                                         const ProgressFn& progress, const CancelToken* cancel) {
    const auto start = std::chrono::steady_clock::now();
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        if (!io::HfCheckpoint::looksLike(path)) {
            throw UnsupportedError(path, "is a folder without config.json", "Pass a .gguf file or a Hugging Face model folder.");
        }
        const auto checkpoint = io::HfCheckpoint::open(path);
        const auto config = model::readHfConfig(checkpoint.config(), checkpoint.configPath());
        auto impl = std::make_unique<Impl>();
        impl->arch = config.arch;
        impl->info.hparams = config.hp;
        impl->tokenizer = std::make_unique<Tokenizer>(model::hfTokenizer(checkpoint, config.hp.vocab));
        model::fillHfInfo(impl->info, checkpoint, config);
        model::HfTensorSource src(checkpoint, config, progress, cancel);
        return finishLoad(std::move(impl), src, options, start);
    }
    const auto file = io::GgufFile::open(path);
    auto impl = std::make_unique<Impl>();
    const auto arch = file.getString("general.architecture");
    if (!arch) throw FormatError(path, "metadata key 'general.architecture' is missing");
    impl->arch = &model::archTraits(*arch, path.string());
    impl->info.hparams = model::readHParams(file, *impl->arch);
    impl->tokenizer = std::make_unique<Tokenizer>(tokenizerFromGguf(file));
    fillInfo(impl->info, file);
    model::GgufTensorSource src(file, impl->arch->ggufPermutedQK, progress, cancel);
    return finishLoad(std::move(impl), src, options, start);
}

void configureProcess(int threads) {
#ifdef __GLIBC__
    g_reuseHeap = true;
    mallopt(M_MMAP_THRESHOLD, kReuseBelow);  // serve blocks up to 1 GiB from the heap, not fresh mmaps
    mallopt(M_TRIM_THRESHOLD, kReuseBelow);  // and do not hand freed heap back to the kernel eagerly
#endif
    setComputeThreads(threads);
}

int defaultComputeThreads() { return 1; }

void setComputeThreads(int threads) { at::set_num_threads(threads > 0 ? threads : defaultComputeThreads()); }

int computeThreads() { return at::get_num_threads(); }

}  // namespace avss
