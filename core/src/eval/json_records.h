// The records of a JSON task file, one at a time and in file order: the elements of a top-level
// array (or of the array under one key of a top-level object, as TriviaQA's {"Data": [...]}), or the
// lines of JSON Lines. Object key order is kept (ordered_json: TruthfulQA's choice order is key
// order). Each array element is dropped from the tree once handed over, nesting is capped, and so is
// the size of one record, so a hostile file cannot make the parse allocate without bound.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/row_sink.h"

namespace avss::eval {

using Json = nlohmann::ordered_json;

constexpr int kMaxJsonDepth = 64;
constexpr std::int64_t kMaxValuesPerRecord = std::int64_t{1} << 20;

struct JsonRecord {
    RowRef ref;
    Json value;
    std::string problem;  // JSON Lines: the line does not parse (value is null)
};

// Returns false to stop reading (the rest of the file is not parsed).
using JsonRecordFn = std::function<bool(JsonRecord&)>;

enum class JsonLayout { Array, Lines };

// '[' opens an array, '{' JSON Lines; anything else is a FormatError naming `what` was expected.
JsonLayout detectJsonLayout(std::string_view text, const std::filesystem::path& path, const std::string& what);

// Array: a parse error, too deep a nesting or too large a record is a FormatError (the file is
// broken); Lines: a line with one of these is a record with `problem` set. Blank lines are passed over.
void forEachJsonRecord(std::string_view text, const std::filesystem::path& path, JsonLayout layout, const JsonRecordFn& take);

// The records of the array under `key` of the one top-level object in `text`; true when the
// document is such an object (false, with nothing read, when it is not valid JSON of that shape).
bool forEachJsonRecordUnder(std::string_view text, const std::filesystem::path& path, const std::string& key,
                            const JsonRecordFn& take);

// Field access that throws RowProblem naming the field: missing, or not of the wanted type.
const Json& jsonField(const Json& record, const std::string& key);
std::string jsonString(const Json& record, const std::string& key);
// A string, or an array of strings (a list of references); empty strings are kept.
std::vector<std::string> jsonStringOrList(const Json& record, const std::string& key);

}  // namespace avss::eval
