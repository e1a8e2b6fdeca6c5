// avss: parse the subcommand, run it, map exceptions to exit codes (exit_codes.h).
#include <csignal>
#include <iostream>

#include "avss/blas_info.h"
#include "avss/error.h"
#include "avss/model.h"
#include "avss/paths.h"
#include "commands.h"
#include "context.h"
#include "dispatch.h"
#include "exit_codes.h"
#include "setting_flags.h"

namespace {
avss::CancelToken g_cancel;
extern "C" void onSigint(int) { g_cancel.cancel(); }  // the core stops within one batch
}  // namespace

int main(int argc, char* argv[]) {
    avss::ensureBestBlasKernels(argc, argv);  // first: it may re-execute the program with better BLAS kernels
    std::signal(SIGINT, onSigint);
    avss::cli::Context ctx;
    ctx.cacheDir = avss::cacheDirFromEnvironment();
    ctx.cancel = &g_cancel;
    try {
        return avss::cli::dispatch(std::vector<std::string>(argv + 1, argv + argc), ctx);
    } catch (const avss::Cancelled&) {
        ctx.progressBar.finish();
        std::cerr << "avss: cancelled\n";
        return avss::cli::exit_code::kCancelled;
    } catch (const avss::Error& e) {
        ctx.progressBar.finish();
        std::cerr << "avss: error: " << e.what() << avss::cli::flagNote(e, ctx.commandOptions) << "\n";
        return avss::cli::exitCodeFor(e);
    } catch (const std::exception& e) {
        ctx.progressBar.finish();
        if (const auto oom = avss::describeOutOfMemory(e)) {
            std::cerr << "avss: error: " << *oom << "\n";
            return avss::cli::exit_code::kOutOfMemory;
        }
        std::cerr << "avss: internal error: " << e.what() << "\n";
        return avss::cli::exit_code::kInternal;
    }
}
