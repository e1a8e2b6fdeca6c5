// Shared pieces of the fuzz targets (docs/reliability.md, "Fuzzing"): a scratch file for parsers that
// take a path, and the fixture folder. Every target follows one rule: avss::Error is the expected
// way to reject an input; anything else escaping (another exception, a crash, a sanitizer report,
// an allocation past libFuzzer's limit, a hang) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace avss::fuzz {

// A file in $TMPDIR (else /tmp) unique to this process, rewritten for every input, removed at exit.
class ScratchFile {
public:
    explicit ScratchFile(const std::string& name);  // name: the file name's tail, e.g. "model.gguf"
    ~ScratchFile();
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    const std::filesystem::path& write(const std::uint8_t* data, std::size_t size);  // aborts when it cannot
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

// tests/data/<name>: fixtures some targets build their fixed state from (e.g. a tokenizer).
std::filesystem::path fixture(const std::string& name);

}  // namespace avss::fuzz
