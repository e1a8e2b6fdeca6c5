// One JSONL record → the string in one top-level field, parsed without building a JSON tree so a
// large record is held only once more (as the extracted string).
#pragma once

#include <string>
#include <string_view>

namespace avss::corpus {

// Returns the value of `field` of the JSON object `record` (the last one when the key repeats, as
// nlohmann::json::parse keeps it). Throws FormatError(where): "malformed JSON (<parser message>)",
// "field '<field>' is missing" (also when the record is not an object) or "... is not a string".
std::string jsonStringField(std::string_view record, const std::string& field, const std::string& where);

}  // namespace avss::corpus
