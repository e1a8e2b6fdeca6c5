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
    std::vector<std::string> documents;  // text: one document = the whole file; empty when streamed
    std::string jsonField;               // JSONL: the field the documents were read from
    bool streamed = false;               // openCorpus(): the text stays in the file, read when tokenized
    std::string fingerprint;             // SHA-256 over format, field and the documents (whole file)
    std::string joined() const;          // documents separated by a blank line (streamed: reads the file)
};

// `source` is "builtin" (the project's own sample prose) or a path. JSONL is recognised by the
// extension .jsonl/.ndjson or a first non-blank character '{'. Throws IoError (missing/unreadable)
// and FormatError naming the file and line (empty, binary, invalid UTF-8, malformed JSON, missing
// field, a JSONL line over 64 MiB). Holds every document in memory (files up to 2 GiB).
Corpus loadCorpus(const std::string& source, const CorpusOptions& options = {});

// As loadCorpus, with the same checks, errors and fingerprint, but keeps no document in memory:
// the file is read once here in bounded memory (1 MiB blocks, or one JSONL line) to check it and
// fingerprint it, and read again by tokenizeCorpus (avss/corpus_tokens.h) only as far as needed.
// Any size. The file must not change in between (a changed size is reported as an IoError).
Corpus openCorpus(const std::string& source, const CorpusOptions& options = {});

const std::string& builtinSampleText();

}  // namespace avss
