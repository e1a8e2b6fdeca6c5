// Shared CLI services: model resolution/loading and the stderr progress bar.
#include "context.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "avss/error.h"
#include "avss/paths.h"

namespace avss::cli {

ProgressBar::ProgressBar(bool enabled) : m_enabled(enabled), m_tty(::isatty(STDERR_FILENO) == 1) {}

void ProgressBar::operator()(const Progress& p) {
    if (!m_enabled) return;
    const auto now = std::chrono::steady_clock::now();
    if (p.stage != m_stage) {
        finish();
        m_stage = p.stage;
        m_lastPrint = {};
    }
    auto& clock = m_clocks[p.stage];
    if (clock.start == std::chrono::steady_clock::time_point{} || p.done < clock.lastDone) clock.start = now;  // new or restarted
    clock.lastDone = p.done;
    const bool last = p.total > 0 && p.done >= p.total;
    if (!last && now - m_lastPrint < std::chrono::milliseconds(200)) return;
    m_lastPrint = now;
    const double secs = std::chrono::duration<double>(now - clock.start).count();
    const double rate = secs > 0 ? static_cast<double>(p.done) / secs : 0.0;
    const int digits = rate < 10 ? 2 : 0;  // slow units (sweep cells) still show a rate
    char line[256];
    if (p.total > 0) {
        const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0.0;
        std::snprintf(line, sizeof line, "%-12s %lld/%lld %s  %.*f %s/s  ETA %.0fs   ", p.stage.c_str(),
                      static_cast<long long>(p.done), static_cast<long long>(p.total), p.unit.c_str(), digits, rate,
                      p.unit.c_str(), eta);
    } else {
        std::snprintf(line, sizeof line, "%-12s %lld %s  %.*f %s/s   ", p.stage.c_str(), static_cast<long long>(p.done),
                      p.unit.c_str(), digits, rate, p.unit.c_str());
    }
    m_lastLine = line;
    m_open = true;
    if (m_tty) std::cerr << '\r' << line << std::flush;
}

void ProgressBar::finish() {
    if (m_open) std::cerr << (m_tty ? "\n" : m_lastLine + "\n");
    m_open = false;
}

std::filesystem::path Context::resolveModel(const std::string& arg) const { return resolveModelArgument(arg, cacheDir); }

std::shared_ptr<const Model> Context::loadModel(const std::string& arg, const LoadOptions& options) {
    auto model = Model::load(resolveModel(arg), options, progress(), cancel);
    progressBar.finish();
    return model;
}

std::shared_ptr<const Model> Context::loadModel(const ParsedArgs& args) {
    LoadOptions options;
    options.device = parseDevice(args.get("device"));
    options.weights = parseWeightStorage(args.get("weights"));
    return loadModel(args.positional(0), options);
}

std::vector<OptionSpec> modelOptions() {
    return {{"device", "DEV", "auto, cpu or cuda", "auto"},
            {"weights", "W", "weight storage: fp32 (reference), bf16 (half the memory, faster products on AVX-512/AMX CPUs and GPUs) or q8 (int8 blocks: ~3.6x less memory, faster decoding; CPU only)",
             "fp32"}};
}

}  // namespace avss::cli
