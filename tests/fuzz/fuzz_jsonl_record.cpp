// Why: every JSONL line goes through our own SAX field picker (util/jsonl_record.h), which promises
// nlohmann::json::parse's answer without building the tree. Differential check against the parse:
// same acceptance, same field value (the last one when the key repeats).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "avss/error.h"
#include "util/jsonl_record.h"

namespace {

const std::string kField = "text";

std::optional<std::string> ours(std::string_view record) {
    try {
        return avss::corpus::jsonStringField(record, kField, "record");
    } catch (const avss::FormatError&) {
        return std::nullopt;
    }
}

std::optional<std::string> reference(std::string_view record) {
    try {
        const auto j = nlohmann::json::parse(record);
        if (!j.is_object() || !j.contains(kField) || !j[kField].is_string()) return std::nullopt;
        return j[kField].get<std::string>();
    } catch (const nlohmann::json::exception&) {  // parse_error, and out_of_range for 1e999
        return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view record(reinterpret_cast<const char*>(data), size);
    if (ours(record) != reference(record)) {
        std::fprintf(stderr, "jsonStringField and nlohmann::json::parse disagree on %zu bytes\n", size);
        std::abort();
    }
    return 0;
}
