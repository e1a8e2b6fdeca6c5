// Text inputs for perplexity and calibration: the built-in sample text, plain-text files and JSONL
// files with a text field. Each input is checked (exists, non-empty, valid UTF-8, not binary).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace avss {

struct CorpusOptions {
    std::string jsonField = "text";  // JSONL: the string field holding each document
};

struct Corpus {
    std::string name;                    // "builtin:sample" or the file path
    std::filesystem::path path;          // empty for the built-in text
    std::string format;                  // "builtin", "text" or "jsonl"
    std::vector<std::string> documents;  // text: one document = the whole file
    std::string fingerprint;             // SHA-256 over format, field and the documents
    std::string joined() const;          // documents separated by a blank line
};

// `source` is "builtin" (the project's own sample prose) or a path. JSONL is recognised by the
// extension .jsonl/.ndjson or a first non-blank character '{'. Throws IoError (missing/unreadable)
// and FormatError naming the file and line (empty, binary, invalid UTF-8, malformed JSON, missing field).
Corpus loadCorpus(const std::string& source, const CorpusOptions& options = {});

const std::string& builtinSampleText();

}  // namespace avss
