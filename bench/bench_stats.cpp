// Cost of collecting activation statistics, measured against the bare forward pass on the same
// batches in the same run: time (modes interleaved, best of --reps) and peak memory (each mode in
// its own forked child, peak RSS reset after loading). Prints ratios; never passes or fails.
// Usage: bench_stats [MODEL=default] [--batch 8] [--seq 256] [--batches 2] [--reps 3] [--threads 0]
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "analysis/stats_observer.h"
#include "bench_timing.h"
#include "avss/corpus.h"
#include "avss/blas_info.h"
#include "avss/model.h"
#include "avss/paths.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace {

using Clock = std::chrono::steady_clock;
enum class Mode { Bare, Fused, TorchOps };
const char* modeName(Mode m) { return m == Mode::Bare ? "bare forward" : m == Mode::Fused ? "+ statistics (fused)" : "+ statistics (torch ops)"; }

struct Setup {
    std::string model = "default";
    int batch = 8, seq = 256, batches = 2, reps = 3, threads = 0;
};

std::vector<at::Tensor> makeBatches(const avss::Model& model, const Setup& s) {
    const auto ids = model.tokenizer().encode(avss::builtinSampleText(), false);
    std::vector<at::Tensor> out;
    std::size_t pos = 0;
    for (int b = 0; b < s.batches; ++b) {
        auto t = torch::empty({s.batch, s.seq}, torch::kInt64);
        auto* p = t.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = ids[pos++ % ids.size()];
        out.push_back(t);
    }
    return out;
}

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
    double wall = 1e300, cpu = 1e300, inObserver = 1e300, cpuInObserver = 1e300;  // best of the repetitions
};

// Forwards to the statistics observer and measures the wall time spent inside it.
struct TimedObserver : avss::model::ActivationObserver {
    avss::analysis::StatsObserver* inner;
    double seconds = 0, cpu = 0;
    explicit TimedObserver(avss::analysis::StatsObserver* o) : inner(o) {}
    bool wants(avss::model::Site s) const override { return inner->wants(s); }
    void observe(avss::model::Site s, const at::Tensor& x, const at::Tensor& mask) override {
        const auto t0 = Clock::now();
        const double c0 = cpuSeconds();
        inner->observe(s, x, mask);
        seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        cpu += cpuSeconds() - c0;
    }
};

struct Run {
    double wall = 0, inObserver = 0, cpuInObserver = 0;
};

// One pass over all batches in the given mode.
Run runMode(const avss::Model& model, const std::vector<at::Tensor>& batches, Mode mode) {
    const auto& m = modelImpl(model);
    avss::analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, avss::StatsSettings{},
                                           mode == Mode::TorchOps ? avss::analysis::Reduction::Torch : avss::analysis::Reduction::Fused);
    TimedObserver timed(&observer);
    avss::ShardStats shard;
    avss::model::ForwardOptions fo;
    fo.logits = avss::model::Logits::None;
    if (mode != Mode::Bare) fo.observer = &timed;
    const auto t0 = Clock::now();
    for (const auto& tokens : batches) {
        const auto mask = torch::ones_like(tokens, torch::kBool);
        if (mode != Mode::Bare) observer.beginBatch(mask, shard);
        avss::model::forward(m, tokens, mask, fo);
        const auto t1 = Clock::now();
        const double c1 = cpuSeconds();
        if (mode != Mode::Bare) observer.endBatch();
        timed.seconds += std::chrono::duration<double>(Clock::now() - t1).count();
        timed.cpu += cpuSeconds() - c1;
    }
    return {std::chrono::duration<double>(Clock::now() - t0).count(), timed.seconds, timed.cpu};
}

long statusKb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::string(key).size()));
    }
    return -1;
}

// Peak RSS (kB) of one mode in a fresh child process: total and after the model is loaded.
std::pair<long, long> childPeak(const Setup& s, Mode mode) {
    int fds[2];
    if (pipe(fds) != 0) return {-1, -1};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        try {  // an error never leaves the child: the parent reports it when it loads the model itself
            avss::configureProcess(s.threads);
            torch::InferenceMode guard;
            const auto model = avss::Model::load(avss::resolveModelArgument(s.model, avss::cacheDirFromEnvironment()),
                                                 avss::LoadOptions{avss::Device::Cpu});
            const auto batches = makeBatches(*model, s);
            std::ofstream("/proc/self/clear_refs") << "5";  // reset VmHWM: measure the forward phase alone
            const long before = statusKb("VmRSS:");
            runMode(*model, batches, mode);
            long r[2] = {statusKb("VmHWM:"), before};
            if (write(fds[1], r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(1);
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    long r[2] = {-1, -1};
    if (read(fds[0], r, sizeof r) != static_cast<ssize_t>(sizeof r)) r[0] = r[1] = -1;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return {r[0], r[1]};
}

int run(int argc, char** argv) {
    Setup s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return std::stoi(argv[++i]); };
        if (a == "--batch" && i + 1 < argc) s.batch = next();
        else if (a == "--seq" && i + 1 < argc) s.seq = next();
        else if (a == "--batches" && i + 1 < argc) s.batches = next();
        else if (a == "--reps" && i + 1 < argc) s.reps = next();
        else if (a == "--threads" && i + 1 < argc) s.threads = next();
        else s.model = a;
    }
    // Memory first: fork before this process starts any torch thread pool.
    const Mode modes[] = {Mode::Bare, Mode::Fused, Mode::TorchOps};
    long peak[3], base[3];
    for (int i = 0; i < 3; ++i) std::tie(peak[i], base[i]) = childPeak(s, modes[i]);

    avss::configureProcess(s.threads);
    torch::InferenceMode guard;
    const auto model = avss::Model::load(avss::resolveModelArgument(s.model, avss::cacheDirFromEnvironment()),
                                         avss::LoadOptions{avss::Device::Cpu});
    const auto batches = makeBatches(*model, s);
    std::printf("model %s, %d threads, %d batches of %d x %d tokens, best of %d (modes interleaved)\n",
                model->info().name.c_str(), avss::computeThreads(), s.batches, s.batch, s.seq, s.reps);
    Timing best[3];
    runMode(*model, batches, Mode::Bare);  // warm-up
    for (int r = 0; r < s.reps; ++r) {
        for (int i = 0; i < 3; ++i) {
            const double c0 = cpuSeconds();
            const auto run = runMode(*model, batches, modes[i]);
            best[i].cpu = std::min(best[i].cpu, cpuSeconds() - c0);
            best[i].wall = std::min(best[i].wall, run.wall);
            best[i].inObserver = std::min(best[i].inObserver, run.inObserver);
            best[i].cpuInObserver = std::min(best[i].cpuInObserver, run.cpuInObserver);
        }
    }
    const double tokens = static_cast<double>(s.batches) * s.batch * s.seq;
    for (int i = 0; i < 3; ++i) {
        std::printf("%-26s wall %7.3f s (x%.3f, %+.1f%%)  cpu %7.3f s (x%.3f, %+.1f%%)  %6.0f tokens/s   peak RSS %6.1f MiB (x%.3f; +%.1f MiB over the loaded model)\n",
                    modeName(modes[i]), best[i].wall, best[i].wall / best[0].wall, 100.0 * (best[i].wall / best[0].wall - 1.0),
                    best[i].cpu, best[i].cpu / best[0].cpu, 100.0 * (best[i].cpu / best[0].cpu - 1.0), tokens / best[i].wall,
                    peak[i] / 1024.0, static_cast<double>(peak[i]) / static_cast<double>(peak[0]), (peak[i] - base[i]) / 1024.0);
    }
    for (int i = 1; i < 3; ++i) {
        std::printf("inside the observer, %-24s wall %7.3f s = %.1f%% of the bare forward, cpu %7.3f s = %.1f%%\n", modeName(modes[i]),
                    best[i].inObserver, 100.0 * best[i].inObserver / best[0].wall, best[i].cpuInObserver,
                    100.0 * best[i].cpuInObserver / best[0].cpu);
    }
    std::printf("statistics overhead (fused): %+.1f%% wall, %+.1f%% cpu (goal <= 3%%, limit 5%%); peak memory x%.3f (limit 1.10)\n",
                100.0 * (best[1].wall / best[0].wall - 1.0), 100.0 * (best[1].cpu / best[0].cpu - 1.0),
                static_cast<double>(peak[1]) / static_cast<double>(peak[0]));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);  // same kernels as avss and the explorer
    return avss::bench::guardedMain("bench_stats", [&] { return run(argc, argv); });
}
