// A task's data file read whole into memory, after the checks every reader needs: it exists, is a
// regular file under a size cap, is UTF-8 without NUL bytes. Error positions are 1-based lines.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace avss::eval {

// Held whole, plus one record at a time (JSON is never built as one tree: json_records.h).
constexpr std::uint64_t kMaxTaskFileBytes = std::uint64_t{2} << 30;

// Throws IoError (missing, not a regular file, unreadable) and FormatError (larger than maxBytes,
// empty, NUL byte, invalid UTF-8; each naming the line). A leading UTF-8 byte-order mark is dropped.
std::string readInputFile(const std::filesystem::path& path, std::uint64_t maxBytes = kMaxTaskFileBytes);

// The 1-based line holding byte `offset` of `text`.
std::int64_t lineOfOffset(std::string_view text, std::size_t offset);

// The first character that is not blank (space, tab, CR, LF), or '\0' when there is none.
char firstNonBlank(std::string_view text);

}  // namespace avss::eval
