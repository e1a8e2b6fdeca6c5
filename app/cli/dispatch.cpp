// Global options and subcommand lookup.
#include "dispatch.h"

#include <cstdlib>
#include <iostream>

#include "avss/blas_info.h"
#include "avss/version.h"
#include "commands.h"
#include "exit_codes.h"

namespace avss::cli {
namespace {

void printUsage(const std::vector<CommandSpec>& commands) {
    std::cout << "Usage: avss [--threads N] [--quiet] COMMAND [ARGS...]\n\n"
                 "AVSS Explorer command-line tool: run, inspect and score the layers of a language model.\n"
                 "MODEL is a .gguf file, a Hugging Face model folder (config.json, model.safetensors, tokenizer.json),\n"
                 "or 'default' for the sample model in the per-user cache.\n\nCommands:\n";
    for (const auto& c : commands) {
        std::string name = "  " + c.name;
        name.resize(16, ' ');
        std::cout << name << c.summary << "\n";
    }
    std::cout << "\nRun 'avss COMMAND --help' for the options of a command.\n"
                 "Global options: --threads N (libtorch element-wise threads; default 1, matrix products always use\n"
                 "every core through OpenBLAS), --quiet (no progress bar),\n"
                 "--version, --help.\nExit codes: 0 ok, 2 usage, 3 bad or unsupported input, 4 I/O, 70 internal, 130 cancelled.\n"
                 "Environment: AVSS_KEEP_BLAS_KERNELS=1 keeps OpenBLAS's own kernel choice (by default avss switches to\n"
                 "better kernels when OpenBLAS does not know this CPU; OPENBLAS_CORETYPE set by you is always kept).\n";
}

void printVersion() {
    const auto v = versionInfo();
    std::cout << "avss " << v.avss << "\nlibtorch " << v.torch << (v.cudaAvailable ? " (CUDA available)" : " (CPU)")
              << "\nHDF5 " << v.hdf5 << "\nPCRE2 " << v.pcre2 << "\nBLAS " << blasSummary(blasInfo()) << "\n";
}

}  // namespace

int exitCodeFor(const Error& e) {
    if (dynamic_cast<const UsageError*>(&e)) return exit_code::kUsage;
    if (dynamic_cast<const IoError*>(&e)) return exit_code::kIo;
    return exit_code::kBadInput;  // FormatError, UnsupportedError
}

int dispatch(const std::vector<std::string>& args, Context& ctx) {
    const auto commands = allCommands();
    int threads = 0;
    std::size_t i = 0;
    for (; i < args.size() && args[i].rfind("-", 0) == 0; ++i) {
        const auto& a = args[i];
        if (a == "--version" || a == "-V") {
            printVersion();
            return exit_code::kOk;
        } else if (a == "--help" || a == "-h") {
            printUsage(commands);
            return exit_code::kOk;
        } else if (a == "--quiet" || a == "-q") {
            ctx.quiet = true;
            ctx.progressBar = ProgressBar(false);
        } else if (a == "--threads" && i + 1 < args.size()) {
            threads = std::atoi(args[++i].c_str());
            if (threads < 1 || threads > 1024) throw UsageError({}, "--threads must be between 1 and 1024");
        } else {
            throw UsageError({}, "unknown global option " + a, "Run 'avss --help'.");
        }
    }
    if (i == args.size()) {
        printUsage(commands);
        return exit_code::kUsage;
    }
    configureProcess(threads);
    for (const auto& c : commands) {
        if (c.name != args[i]) continue;
        for (const auto& o : c.options) ctx.commandOptions.push_back(o.name);
        const auto parsed = c.parse(std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()));
        if (!parsed) return exit_code::kOk;  // --help
        return c.run(*parsed, ctx);
    }
    throw UsageError({}, "unknown command '" + args[i] + "'", "Run 'avss --help' for the list.");
}

}  // namespace avss::cli
