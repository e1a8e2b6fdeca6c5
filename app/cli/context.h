// What every subcommand receives: the cache folder, the cancel token (SIGINT) and a stderr progress bar.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"
#include "avss/progress.h"
#include "args.h"

namespace avss::cli {

// Prints "stage  done/total unit  rate unit/s  ETA" on stderr: redrawn in place at most ~5 times a
// second on a terminal; when stderr is a file or pipe, one summary line per finished stage.
class ProgressBar {
public:
    explicit ProgressBar(bool enabled);
    void operator()(const Progress& p);
    void finish();  // ends the current line

private:
    bool m_enabled;
    bool m_tty;
    struct StageClock {
        std::chrono::steady_clock::time_point start{};
        std::int64_t lastDone = 0;
    };
    std::string m_stage, m_lastLine;
    std::map<std::string, StageClock> m_clocks;  // an outer stage (a sweep's cells) keeps its rate across inner ones
    std::chrono::steady_clock::time_point m_lastPrint{};
    bool m_open = false;
};

struct Context {
    std::filesystem::path cacheDir;
    CancelToken* cancel = nullptr;
    bool quiet = false;
    ProgressBar progressBar{true};
    std::vector<std::string> commandOptions;  // the running command's option names, for flag notes on errors

    ProgressFn progress() {
        return [this](const Progress& p) { progressBar(p); };
    }
    std::filesystem::path resolveModel(const std::string& arg) const;
    std::shared_ptr<const Model> loadModel(const std::string& arg, const LoadOptions& options = {});
    // MODEL (the first positional) with the command's --device and --weights (modelOptions()).
    std::shared_ptr<const Model> loadModel(const ParsedArgs& args);
};

// The options of every command that runs the model: --device and --weights.
std::vector<OptionSpec> modelOptions();

}  // namespace avss::cli
