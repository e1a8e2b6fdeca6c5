// Record-at-a-time JSON reading through nlohmann's parser callback (see json_records.h): a record
// is handed over at its end event and then discarded from the tree being built.
#include "eval/json_records.h"

#include <algorithm>

#include "avss/error.h"
#include "eval/input_file.h"

namespace avss::eval {
namespace {

struct StopReading {};  // thrown from the callback when the consumer has enough records

struct TooLarge : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Counts parse events since the last record and refuses deep nesting; shared by every layout.
class Guard {
public:
    void event(int depth, Json::parse_event_t ev) {
        if ((ev == Json::parse_event_t::object_start || ev == Json::parse_event_t::array_start) && depth >= kMaxJsonDepth) {
            throw TooLarge("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        }
        if (++m_events > 2 * kMaxValuesPerRecord) {
            throw TooLarge("a record with more than " + std::to_string(kMaxValuesPerRecord) + " values");
        }
    }
    void recordDone() { m_events = 0; }

private:
    std::int64_t m_events = 0;
};

bool endsValue(Json::parse_event_t ev) {
    return ev == Json::parse_event_t::value || ev == Json::parse_event_t::object_end || ev == Json::parse_event_t::array_end;
}

void forEachArrayElement(std::string_view text, const std::filesystem::path& path, const JsonRecordFn& take) {
    Guard guard;
    std::int64_t number = 0;
    auto callback = [&](int depth, Json::parse_event_t ev, Json& parsed) {
        guard.event(depth, ev);
        if (depth != 1 || !endsValue(ev)) return true;
        JsonRecord record{RowRef{++number, false}, std::move(parsed), {}};
        guard.recordDone();
        if (!take(record)) throw StopReading{};
        return false;  // drop the element from the array being built
    };
    try {
        const Json root = Json::parse(text.begin(), text.end(), callback);
        if (!root.is_array()) throw FormatError(path, "expected a JSON array of records");
    } catch (const StopReading&) {
    } catch (const TooLarge& e) {
        throw FormatError(path, "record " + std::to_string(number + 1) + ": " + e.what());
    } catch (const Json::exception& e) {
        throw FormatError(path, std::string("malformed JSON (") + e.what() + ")");
    }
}

void forEachLine(std::string_view text, const JsonRecordFn& take) {
    std::int64_t line = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto end = std::min(text.find('\n', pos), text.size());
        const std::string_view row = text.substr(pos, end - pos);
        pos = end + 1;
        ++line;
        if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        JsonRecord record{RowRef{line, true}, nullptr, {}};
        Guard guard;
        try {
            record.value = Json::parse(row.begin(), row.end(), [&](int depth, Json::parse_event_t ev, Json&) {
                guard.event(depth, ev);
                return true;
            });
        } catch (const TooLarge& e) {
            record.problem = e.what();
        } catch (const Json::exception& e) {
            record.problem = std::string("malformed JSON (") + e.what() + ")";
        }
        if (!take(record)) return;
    }
}

}  // namespace

JsonLayout detectJsonLayout(std::string_view text, const std::filesystem::path& path, const std::string& what) {
    const char first = firstNonBlank(text);
    if (first == '[') return JsonLayout::Array;
    if (first == '{') return JsonLayout::Lines;
    throw FormatError(path, "not " + what + ": expected a JSON array or JSON Lines (the first character is neither '[' nor '{')");
}

void forEachJsonRecord(std::string_view text, const std::filesystem::path& path, JsonLayout layout, const JsonRecordFn& take) {
    if (layout == JsonLayout::Array) forEachArrayElement(text, path, take);
    else forEachLine(text, take);
}

bool forEachJsonRecordUnder(std::string_view text, const std::filesystem::path& path, const std::string& key,
                            const JsonRecordFn& take) {
    Guard guard;
    std::int64_t number = 0;
    std::string currentKey;
    bool inRecords = false, shape = false;
    auto callback = [&](int depth, Json::parse_event_t ev, Json& parsed) {
        guard.event(depth, ev);
        if (depth == 1 && ev == Json::parse_event_t::key) currentKey = parsed.get<std::string>();
        if (depth == 1 && ev == Json::parse_event_t::array_start && currentKey == key) inRecords = shape = true;
        if (depth == 1 && ev == Json::parse_event_t::array_end) inRecords = false;
        if (depth != 2 || !inRecords || !endsValue(ev)) return true;
        JsonRecord record{RowRef{++number, false}, std::move(parsed), {}};
        guard.recordDone();
        if (!take(record)) throw StopReading{};
        return false;
    };
    try {
        const Json root = Json::parse(text.begin(), text.end(), callback);
        return shape && root.is_object();
    } catch (const StopReading&) {
        return true;
    } catch (const TooLarge& e) {
        throw FormatError(path, "record " + std::to_string(number + 1) + ": " + e.what());
    } catch (const Json::exception& e) {
        if (!shape) return false;
        throw FormatError(path, std::string("malformed JSON (") + e.what() + ")");
    }
}

const Json& jsonField(const Json& record, const std::string& key) {
    if (!record.is_object()) throw RowProblem("not a JSON object");
    const auto it = record.find(key);
    if (it == record.end()) throw RowProblem("field '" + key + "' is missing");
    return *it;
}

std::string jsonString(const Json& record, const std::string& key) {
    const Json& value = jsonField(record, key);
    if (!value.is_string()) throw RowProblem("field '" + key + "' is not a string");
    return value.get<std::string>();
}

std::vector<std::string> jsonStringOrList(const Json& record, const std::string& key) {
    const Json& value = jsonField(record, key);
    if (value.is_string()) return {value.get<std::string>()};
    if (!value.is_array()) throw RowProblem("field '" + key + "' is neither a string nor a list of strings");
    std::vector<std::string> out;
    for (const Json& element : value) {
        if (!element.is_string()) throw RowProblem("field '" + key + "' holds a list with a non-string element");
        out.push_back(element.get<std::string>());
    }
    return out;
}

}  // namespace avss::eval
