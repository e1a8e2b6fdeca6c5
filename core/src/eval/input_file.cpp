// Whole-file reading with the size, NUL and UTF-8 checks (see input_file.h).
#include "eval/input_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <system_error>

#include "avss/error.h"
#include "tokenizer/utf8.h"

namespace avss::eval {

std::int64_t lineOfOffset(std::string_view text, std::size_t offset) {
    const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size()));
    return 1 + std::count(text.begin(), end, '\n');
}

char firstNonBlank(std::string_view text) {
    const auto at = text.find_first_not_of(" \t\r\n");
    return at == std::string_view::npos ? '\0' : text[at];
}

std::string readInputFile(const std::filesystem::path& path, std::uint64_t maxBytes) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw IoError(path, "file not found", "Check the path.");
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "not a regular file");
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) throw IoError(path, "cannot read the file size (" + ec.message() + ")");
    if (size > maxBytes) {
        throw FormatError(path, "file is " + std::to_string(size) + " bytes, more than the " + std::to_string(maxBytes) +
                                    " a task file may have");
    }
    if (size == 0) throw FormatError(path, "file is empty");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path, "cannot open file for reading");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size) {
        throw IoError(path, "read " + std::to_string(in.gcount()) + " of " + std::to_string(size) + " bytes");
    }
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // spreadsheet exports start with a BOM
    if (const void* nul = std::memchr(text.data(), 0, text.size())) {
        const auto at = static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
        throw FormatError(path, "line " + std::to_string(lineOfOffset(text, at)) + ": NUL byte (a binary file?)");
    }
    if (const auto bad = tok::firstInvalidUtf8(text)) {
        throw FormatError(path, "line " + std::to_string(lineOfOffset(text, *bad)) + ": invalid UTF-8",
                          "Task files must be UTF-8.");
    }
    return text;
}

}  // namespace avss::eval
