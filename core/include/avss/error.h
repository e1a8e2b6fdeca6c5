// Error types thrown by the core. Every message reads "<file>: <what>. <hint>" so the CLI and the
// desktop app can show it as is; only main() and worker slots catch, and only the CLI picks exit
// codes (app/cli/exit_codes.h).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace avss {

// A user-adjustable setting an error is about, so a front end can add its own name for it (the CLI
// its flag); messages themselves speak in domain words ("a smaller sequence length").
enum class Setting { SequenceLength, MaxTokens, BatchSize, ShardCount, Device, CacheFile, Weights };

class Error : public std::runtime_error {
public:
    // file may be empty when the problem is not tied to a file (then what() is "<what>. <hint>").
    Error(std::filesystem::path file, const std::string& what, const std::string& hint = {},
          std::vector<Setting> settings = {});
    const std::filesystem::path& file() const noexcept { return m_file; }
    const std::string& detail() const noexcept { return m_detail; }  // without the file prefix
    const std::vector<Setting>& settings() const noexcept { return m_settings; }  // what changing would help

private:
    std::filesystem::path m_file;
    std::string m_detail;
    std::vector<Setting> m_settings;
};

struct FormatError : Error { using Error::Error; };       // malformed, truncated or hostile input
struct UnsupportedError : Error { using Error::Error; };  // valid input, feature not supported (lists what is)
struct UsageError : Error { using Error::Error; };        // bad option, argument or config field (names it)
struct IoError : Error { using Error::Error; };           // cannot open, read, write or rename

// An allocation failure (std::bad_alloc, or libtorch's "can't allocate memory") as one sentence
// with what to change; nullopt for any other exception. The front ends show it instead of a trace.
std::optional<std::string> describeOutOfMemory(const std::exception& e);

// Not an Error: `catch (const Error&)` never swallows a user's cancel.
struct Cancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

}  // namespace avss
