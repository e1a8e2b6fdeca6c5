// Exit codes of the avss command (sysexits-like; 130 mirrors SIGINT), chosen only by main() and dispatch.
#pragma once

namespace avss::cli::exit_code {

constexpr int kOk = 0;
constexpr int kUsage = 2;
constexpr int kBadInput = 3;
constexpr int kIo = 4;
constexpr int kOutOfMemory = 5;
constexpr int kInternal = 70;
constexpr int kCancelled = 130;

}  // namespace avss::cli::exit_code
