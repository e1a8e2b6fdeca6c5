// Peak memory and time of reading and tokenizing a large corpus with a token budget: the streamed
// path (openCorpus + tokenizeCorpus) on 1 GiB inputs, and next to it, on smaller inputs it can
// afford, the whole-file path it replaced (loadCorpus + encode(joined()) + truncate). Each run is its
// own child process, so its peak RSS (from wait4) is its own. Optionally also runs the CLI, `avss
// score MODEL --data FILE --max-tokens N`, the same way. The inputs are written to a temporary folder
// and deleted. Prints numbers and ratios; never passes or fails.
// Usage: bench_corpus [--size-mb 1024] [--old-mb 64] [--max-tokens 65536] [--tokenizer GGUF=default]
//                     [--avss PATH --model GGUF] [--dir DIR=/tmp]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "avss/blas_info.h"
#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/paths.h"
#include "io/gguf_file.h"
#include "tokenizer/gguf_tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kBigRecordBytes = 56 * kMiB;  // the JSONL file starts with one record this long

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bool continuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The built-in prose from a varying start, with a counter, so the text is not one block repeated.
std::string paragraph(std::uint64_t i) {
    const auto& text = avss::builtinSampleText();
    std::size_t begin = (i * 7919) % 4000, end = std::min(text.size(), begin + 12000);
    while (continuationByte(text[begin])) ++begin;  // whole UTF-8 characters only
    while (end < text.size() && continuationByte(text[end])) ++end;
    return "Part " + std::to_string(i) + ". " + text.substr(begin, end - begin) + "\n\n";
}

void writeText(const std::string& path, std::uint64_t bytes) {
    std::ofstream out(path, std::ios::binary);
    for (std::uint64_t written = 0, i = 0; written < bytes; ++i) {
        const auto p = paragraph(i);
        out << p;
        written += p.size();
    }
    if (!out) throw std::runtime_error("cannot write " + path);
}

// One record of kBigRecordBytes of text first (a single line of ~57 MB), then records of ~12 KB.
void writeJsonl(const std::string& path, std::uint64_t bytes) {
    std::ofstream out(path, std::ios::binary);
    std::string big;
    for (std::uint64_t i = 0; big.size() < kBigRecordBytes; ++i) big += paragraph(i);
    const auto first = nlohmann::json{{"id", 0}, {"text", big}}.dump() + "\n";
    out << first;
    std::uint64_t written = first.size();
    for (std::uint64_t i = 1; written < bytes; ++i) {
        const auto line = nlohmann::json{{"id", i}, {"text", paragraph(i)}}.dump() + "\n";
        out << line;
        written += line.size();
    }
    if (!out) throw std::runtime_error("cannot write " + path);
}

// The text as loadCorpus + Corpus::joined() built it before streaming (git 72e3055): the file in one
// string, the documents copied out of it (JSONL through a JSON tree per line), then joined.
std::string wholeFileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string data(static_cast<std::size_t>(std::filesystem::file_size(path)), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    std::vector<std::string> docs;
    if (path.size() > 6 && path.substr(path.size() - 6) == ".jsonl") {
        std::istringstream lines(data);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const auto j = nlohmann::json::parse(line);
            docs.push_back(j["text"].get<std::string>());
        }
    } else {
        docs = {data};
    }
    std::string joined;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (i) joined += "\n\n";
        joined += docs[i];
    }
    return joined;
}

avss::Tokenizer loadTokenizer(const std::string& gguf) {
    return avss::Tokenizer(avss::tokenizerSpecFromGguf(avss::io::GgufFile::open(gguf)));
}

// The child: one path over one file; prints what it did on one line.
int child(const std::string& mode, const std::string& file, const std::string& gguf, std::int64_t maxTokens) {
    const auto tokenizer = loadTokenizer(gguf);
    const auto t0 = Clock::now();
    std::size_t tokens = 0;
    double openSeconds = 0;
    if (mode == "streamed") {
        const auto corpus = avss::openCorpus(file);
        openSeconds = since(t0);
        tokens = avss::tokenizeCorpus(tokenizer, corpus, maxTokens).tokens.size();
    } else {  // what planWindows did before: the whole text in memory, tokenized whole, then cut
        const auto text = wholeFileText(file);
        openSeconds = since(t0);
        auto ids = tokenizer.encode(text, /*addSpecial=*/false);
        if (maxTokens > 0 && static_cast<std::size_t>(maxTokens) < ids.size()) ids.resize(static_cast<std::size_t>(maxTokens));
        tokens = ids.size();
    }
    std::printf("tokens %zu, read+check %.2f s, total %.2f s\n", tokens, openSeconds, since(t0));
    return 0;
}

struct Run {
    double seconds = 0;
    double peakMiB = 0;
    int status = 0;
};

// Runs argv as a child process; its own peak RSS comes from wait4.
Run spawn(const std::vector<std::string>& args, bool quiet) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::fflush(stdout);  // or the child would repeat what is still buffered
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        if (quiet && !std::freopen("/dev/null", "w", stdout)) _exit(126);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    Run r;
    r.seconds = since(t0);
    r.peakMiB = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
    for (int i = 1; i + 1 < argc; ++i) {
        if (argv[i] == name) return argv[i + 1];
    }
    return fallback;
}

void report(const char* what, const std::string& file, const Run& r) {
    const double inputMiB = static_cast<double>(std::filesystem::file_size(file)) / static_cast<double>(kMiB);
    std::printf("%-34s input %7.0f MiB   peak RSS %8.1f MiB (%6.3f x input)   %7.2f s%s\n", what, inputMiB, r.peakMiB,
                r.peakMiB / inputMiB, r.seconds, r.status ? "   FAILED" : "");
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) try {
    avss::ensureBestBlasKernels(argc, argv);  // no BLAS in this torch-free benchmark: returns at once, kept for uniformity
    if (argc == 6 && std::string(argv[1]) == "--child") return child(argv[2], argv[3], argv[4], std::atoll(argv[5]));
    const auto sizeMiB = std::stoull(arg(argc, argv, "--size-mb", "1024"));
    const auto oldMiB = std::stoull(arg(argc, argv, "--old-mb", "64"));
    const auto maxTokens = arg(argc, argv, "--max-tokens", "65536");
    const auto gguf = avss::resolveModelArgument(arg(argc, argv, "--tokenizer", "default"), avss::cacheDirFromEnvironment()).string();
    const auto avssBinary = arg(argc, argv, "--avss", "");
    const auto model = arg(argc, argv, "--model", "");
    std::string dir = arg(argc, argv, "--dir", "/tmp") + "/avss-bench-corpus-XXXXXX";
    if (!mkdtemp(dir.data())) throw std::runtime_error("mkdtemp failed");
    struct Cleanup {
        std::string dir;
        ~Cleanup() { std::filesystem::remove_all(dir); }
    } cleanup{dir};

    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const auto lib = [&](const std::string& mode, const std::string& file) {
        return spawn({self, "--child", mode, file, gguf, maxTokens}, false);
    };
    std::printf("tokenizer %s, max tokens %s; peak RSS of each run in its own process\n", gguf.c_str(), maxTokens.c_str());
    auto t0 = Clock::now();
    const std::string smallText = dir + "/small.txt", smallJsonl = dir + "/small.jsonl";
    writeText(smallText, oldMiB * kMiB);
    writeJsonl(smallJsonl, std::max<std::uint64_t>(oldMiB, kBigRecordBytes / kMiB + 8) * kMiB);
    std::printf("wrote the %llu MiB inputs in %.1f s\n", static_cast<unsigned long long>(oldMiB), since(t0));
    for (const auto& file : {smallText, smallJsonl}) {
        const auto name = std::filesystem::path(file).filename().string();
        report(("whole-file (before): " + name).c_str(), file, lib("whole", file));
        report(("streamed (now):      " + name).c_str(), file, lib("streamed", file));
    }
    std::filesystem::remove(smallText);
    std::filesystem::remove(smallJsonl);

    t0 = Clock::now();
    const std::string bigText = dir + "/big.txt", bigJsonl = dir + "/big.jsonl";
    writeText(bigText, sizeMiB * kMiB);
    writeJsonl(bigJsonl, sizeMiB * kMiB);
    std::printf("wrote the %llu MiB inputs in %.1f s (big.jsonl starts with one %llu MiB line)\n",
                static_cast<unsigned long long>(sizeMiB), since(t0), static_cast<unsigned long long>(kBigRecordBytes / kMiB));
    for (const auto& file : {bigText, bigJsonl}) {
        report(("streamed (now):      " + std::filesystem::path(file).filename().string()).c_str(), file, lib("streamed", file));
    }
    if (!avssBinary.empty() && !model.empty()) {
        for (const auto& file : {bigText, bigJsonl}) {
            const auto r = spawn({avssBinary, "score", model, "--data", file, "--max-tokens", maxTokens, "--device", "cpu"}, true);
            report(("avss score: " + std::filesystem::path(file).filename().string()).c_str(), file, r);
        }
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_corpus: %s\n", e.what());
    return 1;
}
