// Error types thrown by the core. Every message reads "<file>: <what>. <hint>" so the CLI and the
// desktop app can show it as is; only main() and worker slots catch, and only main() picks exit codes.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace avss {

class Error : public std::runtime_error {
public:
    // file may be empty when the problem is not tied to a file (then what() is "<what>. <hint>").
    Error(std::filesystem::path file, const std::string& what, const std::string& hint = {});
    const std::filesystem::path& file() const noexcept { return m_file; }
    const std::string& detail() const noexcept { return m_detail; }  // without the file prefix

private:
    std::filesystem::path m_file;
    std::string m_detail;
};

struct FormatError : Error { using Error::Error; };       // malformed, truncated or hostile input
struct UnsupportedError : Error { using Error::Error; };  // valid input, feature not supported (lists what is)
struct UsageError : Error { using Error::Error; };        // bad option, argument or config field (names it)
struct IoError : Error { using Error::Error; };           // cannot open, read, write or rename

// Not an Error: `catch (const Error&)` never swallows a user's cancel.
struct Cancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

// Exit codes used by the CLI (sysexits-like; 130 mirrors SIGINT).
namespace exit_code {
constexpr int kOk = 0;
constexpr int kUsage = 2;
constexpr int kBadInput = 3;
constexpr int kIo = 4;
constexpr int kInternal = 70;
constexpr int kCancelled = 130;
}  // namespace exit_code

}  // namespace avss
