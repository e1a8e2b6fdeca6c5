// Probe children: posix_spawn of /proc/self/exe with a pipe for the result and a deadline.
#include "blas/self_check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <strings.h>
#include <ctime>
#include <sstream>
#include <vector>

#include "blas/openblas_runtime.h"

extern char** environ;

namespace avss::blas {
namespace {

constexpr int kProbeSize = 768;             // 0.9 GFLOP: ~0.15 s on generic kernels, a few ms on AVX-512
constexpr double kProbeBudgetSeconds = 0.4;
constexpr int kDeadlineMs = 60000;          // a probe that hangs counts as failed
constexpr double kNoiseMargin = 0.9;        // "not slower": within 10% on a shared machine
constexpr double kMaxError = 1e-5;          // the fixed products are exact in fp32; this only absorbs nothing-but-rounding

// The environment for a probe child: ours, with the kernel type and the probe flag replaced.
std::vector<std::string> probeEnvironment(const std::string& coreType) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        if (entry.rfind("OPENBLAS_CORETYPE=", 0) == 0 || entry.rfind(std::string(kSelfCheckEnv) + "=", 0) == 0) continue;
        env.push_back(entry);
    }
    env.push_back("OPENBLAS_CORETYPE=" + coreType);
    env.push_back(std::string(kSelfCheckEnv) + "=1");
    return env;
}

std::string signalName(int sig) {
    const char* name = strsignal(sig);
    return "signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
}

std::string gflopsText(double g) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", g);
    return buf;
}

std::string today() {
    const auto now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

// Spawned child with stdout on a pipe; collects what it prints until it exits or the deadline passes.
struct ChildRun {
    bool started = false;
    std::string output, failure;
    int status = 0;
};

ChildRun runChild(const std::vector<std::string>& env) {
    ChildRun run;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return run.failure = std::string("pipe: ") + std::strerror(errno), run;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);  // OpenBLAS's "Core not found" and the like
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    char exe[] = "/proc/self/exe";
    char* argv[] = {exe, nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, exe, &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        run.failure = std::string("could not start the probe child: ") + std::strerror(rc);
        return run;
    }
    run.started = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
    char buf[512];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        pollfd p{fds[0], POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
            ::kill(pid, SIGKILL);
            run.failure = "the probe child did not finish within " + std::to_string(kDeadlineMs / 1000) + " s";
            break;
        }
        const auto n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        run.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
    }
    return run;
}

bool sameName(const std::string& a, const std::string& b) { return strcasecmp(a.c_str(), b.c_str()) == 0; }

}  // namespace

void runProbeAndExit() {
    const auto blas = loadedOpenBlas();
    const auto error = sgemmMaxError();
    const auto gflops = sgemmGflops(kProbeSize, kProbeBudgetSeconds);
    if (blas && error && gflops) std::printf("avss-blas-probe core=%s gflops=%.3f error=%.3g\n", blas->coreName.c_str(), *gflops, *error);
    std::fflush(stdout);
    std::_Exit(0);  // nothing else of the program runs in a probe child
}

std::optional<ProbeResult> probeKernels(const std::string& coreType, std::string* failure) {
    const auto run = runChild(probeEnvironment(coreType));
    if (!run.failure.empty() && !run.started) return *failure = run.failure, std::nullopt;
    if (WIFSIGNALED(run.status)) return *failure = "the probe child died of " + signalName(WTERMSIG(run.status)), std::nullopt;
    if (!run.failure.empty()) return *failure = run.failure, std::nullopt;
    const auto at = run.output.find("avss-blas-probe core=");
    if (at == std::string::npos) return *failure = "the probe child printed no result (no OpenBLAS in it?)", std::nullopt;
    std::istringstream line(run.output.substr(at + std::strlen("avss-blas-probe ")));
    ProbeResult r;
    std::string field;
    while (line >> field) {
        const auto eq = field.find('=');
        if (eq == std::string::npos) continue;
        const auto key = field.substr(0, eq), value = field.substr(eq + 1);
        if (key == "core") r.coreName = value;
        else if (key == "gflops") r.gflops = std::strtod(value.c_str(), nullptr);
        else if (key == "error") r.maxError = std::strtod(value.c_str(), nullptr);
    }
    if (r.coreName.empty() || !(r.gflops > 0)) return *failure = "the probe child's result is unreadable: " + run.output, std::nullopt;
    return r;
}

std::optional<KernelVerdict> selfCheck(const std::string& current, const std::string& candidate, std::string* failure) {
    auto base = probeKernels(current, failure);
    if (!base) return std::nullopt;  // the check itself cannot run here: no verdict, retried next start
    if (!sameName(base->coreName, current)) return *failure = "OpenBLAS ignored OPENBLAS_CORETYPE=" + current, std::nullopt;
    KernelVerdict v{candidate, false, {}};
    const auto on = ", checked " + today();
    std::string why;
    auto cand = probeKernels(candidate, &why);
    if (!cand) return v.detail = why + on, v;
    if (!sameName(cand->coreName, candidate)) return v.detail = "OpenBLAS ran " + cand->coreName + " instead: this build has no " + candidate + " kernels" + on, v;
    if (!(cand->maxError <= kMaxError)) return v.detail = "wrong results, relative error " + std::to_string(cand->maxError) + on, v;
    if (cand->gflops < kNoiseMargin * base->gflops) {  // confirm once: the machine may have been busy during one probe
        if (auto again = probeKernels(current, failure)) base->gflops = std::max(base->gflops, again->gflops);
        if (auto again = probeKernels(candidate, &why)) cand->gflops = std::max(cand->gflops, again->gflops);
    }
    const auto rates = candidate + " " + gflopsText(cand->gflops) + " GFLOP/s vs " + current + " " + gflopsText(base->gflops) +
                       " GFLOP/s, fp32 " + std::to_string(kProbeSize) + "^3";
    v.adopt = cand->gflops >= kNoiseMargin * base->gflops;
    v.detail = (v.adopt ? rates + ", results exact" : "slower: " + rates) + on;
    return v;
}

}  // namespace avss::blas
