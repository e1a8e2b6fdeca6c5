// SAX extraction of one field (see jsonl_record.h).
#include "util/jsonl_record.h"

#include <nlohmann/json.hpp>

#include "avss/error.h"

namespace avss::corpus {
namespace {

using json = nlohmann::json;

// Keeps the top-level value under `field`; everything else is only validated by the parser.
class FieldPicker : public nlohmann::json_sax<json> {
public:
    FieldPicker(const std::string& field, const std::string& where) : m_field(field), m_where(where) {}

    enum class Found { No, String, Other };
    Found found = Found::No;
    std::string text;

    bool null() override { return scalar(); }
    bool boolean(bool) override { return scalar(); }
    bool number_integer(number_integer_t) override { return scalar(); }
    bool number_unsigned(number_unsigned_t) override { return scalar(); }
    bool number_float(number_float_t, const string_t&) override { return scalar(); }
    bool binary(binary_t&) override { return scalar(); }
    bool string(string_t& value) override {
        if (m_depth == 1 && m_atField) {
            found = Found::String;
            text = std::move(value);  // the lexer's buffer: it is cleared before the next token
        }
        m_atField = false;
        return true;
    }
    bool start_object(std::size_t) override {
        if (m_depth == 0) m_isObject = true;
        return open();
    }
    bool start_array(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& name) override {
        if (m_depth == 1) m_atField = name == m_field;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        throw FormatError(m_where, std::string("malformed JSON (") + e.what() + ")");
    }
    bool isObject() const { return m_isObject; }

private:
    bool scalar() {
        if (m_depth == 1 && m_atField) found = Found::Other;
        m_atField = false;
        return true;
    }
    bool open() {
        if (m_depth == 1 && m_atField) found = Found::Other;
        m_atField = false;
        ++m_depth;
        return true;
    }
    bool close() {
        --m_depth;
        return true;
    }

    const std::string& m_field;
    const std::string& m_where;
    int m_depth = 0;
    bool m_atField = false;
    bool m_isObject = false;
};

}  // namespace

std::string jsonStringField(std::string_view record, const std::string& field, const std::string& where) {
    FieldPicker picker(field, where);
    json::sax_parse(record, &picker);
    if (!picker.isObject() || picker.found == FieldPicker::Found::No) {
        throw FormatError(where, "field '" + field + "' is missing");
    }
    if (picker.found != FieldPicker::Found::String) throw FormatError(where, "field '" + field + "' is not a string");
    return std::move(picker.text);
}

}  // namespace avss::corpus
