// GGUF parsing with bounds checks on every read (see gguf_file.h for the layout).
#include "io/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>

#include "avss/error.h"
#include "io/ggml_type.h"

namespace avss::io {
namespace {

constexpr std::uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr std::uint32_t kMaxDims = 4;         // GGML_MAX_DIMS
constexpr std::size_t kMaxNameBytes = 64;     // GGML_MAX_NAME, including the terminator in ggml
constexpr int kMaxArrayDepth = 4;             // nested arrays deeper than this are rejected
// Each parsed value costs ~56 bytes of memory against 1 byte of file (a u8 array element): without
// a cap a 1 GB file could ask for 56 GB. Real vocabularies need < 1M values (Gemma: 256k tokens × 3).
constexpr std::uint64_t kMaxMetadataValues = 8ull << 20;
constexpr const char* kTruncatedHint = "The file is truncated or not a GGUF model; download it again and compare its sha256.";

std::size_t minEncodedSize(GgufType t) {
    switch (t) {
        case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
        case GgufType::U16: case GgufType::I16: return 2;
        case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
        case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
        case GgufType::String: return 8;   // length prefix
        case GgufType::Array: return 12;   // element type + count
    }
    return 1;
}

bool validType(std::uint32_t t) { return t <= static_cast<std::uint32_t>(GgufType::F64); }

}  // namespace

const char* ggufTypeName(GgufType t) {
    static const char* const names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
                                        "string", "array", "u64", "i64", "f64"};
    const auto i = static_cast<std::uint32_t>(t);
    return i < std::size(names) ? names[i] : "invalid";
}

bool GgufValue::isInteger() const {
    switch (type) {
        case GgufType::U8: case GgufType::I8: case GgufType::U16: case GgufType::I16:
        case GgufType::U32: case GgufType::I32: case GgufType::U64: case GgufType::I64: return true;
        default: return false;
    }
}

std::optional<std::int64_t> GgufValue::asInt() const {
    if (const auto* u = std::get_if<std::uint64_t>(&value)) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(*u);
    }
    if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
    return std::nullopt;
}

std::optional<double> GgufValue::asDouble() const {
    if (const auto* d = std::get_if<double>(&value)) return *d;
    if (const auto* u = std::get_if<std::uint64_t>(&value)) return static_cast<double>(*u);
    if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
    return std::nullopt;
}

std::string GgufValue::toString(std::size_t maxItems) const {
    std::ostringstream os;
    if (const auto* u = std::get_if<std::uint64_t>(&value)) os << *u;
    else if (const auto* i = std::get_if<std::int64_t>(&value)) os << *i;
    else if (const auto* d = std::get_if<double>(&value)) os << *d;
    else if (const auto* b = std::get_if<bool>(&value)) os << (*b ? "true" : "false");
    else if (const auto* s = std::get_if<std::string>(&value)) {
        if (s->size() > 80) os << '"' << s->substr(0, 77) << "...\" (" << s->size() << " bytes)";
        else os << '"' << *s << '"';
    } else if (const auto* a = std::get_if<GgufArray>(&value)) {
        os << ggufTypeName(a->elementType) << '[' << a->items.size() << "] [";
        for (std::size_t k = 0; k < a->items.size() && k < maxItems; ++k) os << (k ? ", " : "") << a->items[k].toString(2);
        if (a->items.size() > maxItems) os << ", ...";
        os << ']';
    }
    return os.str();
}

std::vector<std::int64_t> GgufTensorInfo::torchShape() const {
    return std::vector<std::int64_t>(ne.rbegin(), ne.rend());
}

// Cursor over the mapped bytes; every read checks the remaining length first.
class GgufParser {
public:
    explicit GgufParser(GgufFile& f) : m_f(f), m_data(f.m_file.data()), m_size(f.m_file.size()) {}

    void parse() {
        const auto magic = u32();
        if (magic != kMagic) {
            fail("not a GGUF file (magic bytes are " + hexMagic() + ", expected \"GGUF\")",
                 "Pass a .gguf model file or a Hugging Face model folder.");
        }
        m_f.m_version = u32();
        if ((m_f.m_version & 0xFFFFu) == 0) fail("GGUF file appears to be big-endian, which is not supported");
        if (m_f.m_version != 2 && m_f.m_version != 3) {
            fail("GGUF version " + std::to_string(m_f.m_version) + " is not supported (supported: 2, 3)",
                 "Re-convert the model with a current llama.cpp.");
        }
        const auto tensorCount = u64();
        const auto kvCount = u64();
        // Each kv takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8+4+4+8.
        if (kvCount > remaining() / 13) fail("metadata count " + std::to_string(kvCount) + " cannot fit in the file", kTruncatedHint);
        if (tensorCount > remaining() / 24) fail("tensor count " + std::to_string(tensorCount) + " cannot fit in the file", kTruncatedHint);

        m_f.m_metadata.reserve(kvCount);
        for (std::uint64_t k = 0; k < kvCount; ++k) {
            std::string key = string("metadata key #" + std::to_string(k));
            const auto type = u32();
            if (!validType(type)) fail("metadata key '" + key + "' has invalid value type " + std::to_string(type));
            GgufValue v = value(static_cast<GgufType>(type), key, 0);
            if (!m_f.m_keyIndex.emplace(key, m_f.m_metadata.size()).second) fail("metadata key '" + key + "' appears twice");
            m_f.m_metadata.emplace_back(std::move(key), std::move(v));
        }
        readAlignment();

        m_f.m_tensors.reserve(tensorCount);
        for (std::uint64_t k = 0; k < tensorCount; ++k) m_f.m_tensors.push_back(tensorInfo(k));

        const std::uint64_t headerEnd = m_pos;
        const std::uint64_t a = m_f.m_alignment;
        m_f.m_dataOffset = headerEnd + (a - headerEnd % a) % a;
        if (m_f.m_dataOffset > m_size && tensorCount > 0) {
            fail("tensor data would start at byte " + std::to_string(m_f.m_dataOffset) + " but the file has " +
                     std::to_string(m_size) + " bytes", kTruncatedHint);
        }
        checkTensorRanges();
    }

private:
    [[noreturn]] void fail(const std::string& what, const std::string& hint = {}) const {
        throw FormatError(m_f.path(), what, hint);
    }
    std::uint64_t remaining() const { return m_size - m_pos; }
    void need(std::uint64_t n, const char* what) const {
        if (n > remaining()) {
            fail(std::string("unexpected end of file while reading ") + what + " at byte " + std::to_string(m_pos) +
                     " (need " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left)",
                 kTruncatedHint);
        }
    }
    template <class T>
    T raw(const char* what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, m_data + m_pos, sizeof(T));  // memcpy: fields are unaligned
        m_pos += sizeof(T);
        return v;
    }
    std::uint32_t u32() { return raw<std::uint32_t>("a 32-bit field"); }
    std::uint64_t u64() { return raw<std::uint64_t>("a 64-bit field"); }
    std::string hexMagic() const {
        static const char* hex = "0123456789abcdef";
        std::string s;
        for (int k = 0; k < 4; ++k) {
            s += hex[m_data[k] >> 4];
            s += hex[m_data[k] & 15];
            if (k < 3) s += ' ';
        }
        return s;
    }

    std::string string(const std::string& what) {
        const auto len = raw<std::uint64_t>("a string length");
        if (len > remaining()) {
            fail("string length " + std::to_string(len) + " of " + what + " runs past the end of the file", kTruncatedHint);
        }
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), static_cast<std::size_t>(len));
        m_pos += len;
        return s;
    }

    GgufValue value(GgufType type, const std::string& key, int depth) {
        GgufValue v;
        v.type = type;
        switch (type) {
            case GgufType::U8: v.value = std::uint64_t{raw<std::uint8_t>("a u8 value")}; break;
            case GgufType::I8: v.value = std::int64_t{raw<std::int8_t>("an i8 value")}; break;
            case GgufType::U16: v.value = std::uint64_t{raw<std::uint16_t>("a u16 value")}; break;
            case GgufType::I16: v.value = std::int64_t{raw<std::int16_t>("an i16 value")}; break;
            case GgufType::U32: v.value = std::uint64_t{raw<std::uint32_t>("a u32 value")}; break;
            case GgufType::I32: v.value = std::int64_t{raw<std::int32_t>("an i32 value")}; break;
            case GgufType::U64: v.value = raw<std::uint64_t>("a u64 value"); break;
            case GgufType::I64: v.value = raw<std::int64_t>("an i64 value"); break;
            case GgufType::F32: v.value = double{raw<float>("an f32 value")}; break;
            case GgufType::F64: v.value = raw<double>("an f64 value"); break;
            case GgufType::Bool: {
                const auto b = raw<std::uint8_t>("a bool value");
                if (b > 1) fail("metadata key '" + key + "' holds bool byte " + std::to_string(b) + " (must be 0 or 1)");
                v.value = b == 1;
                break;
            }
            case GgufType::String: v.value = string("the value of '" + key + "'"); break;
            case GgufType::Array: {
                if (depth >= kMaxArrayDepth) fail("metadata key '" + key + "' nests arrays deeper than " + std::to_string(kMaxArrayDepth));
                const auto et = u32();
                if (!validType(et)) fail("metadata key '" + key + "' is an array of invalid type " + std::to_string(et));
                const auto count = u64();
                const auto elemType = static_cast<GgufType>(et);
                if (count > remaining() / minEncodedSize(elemType)) {
                    fail("array '" + key + "' claims " + std::to_string(count) + " elements, more than the file can hold", kTruncatedHint);
                }
                if (count > kMaxMetadataValues - m_values) {
                    fail("array '" + key + "' would bring the metadata to more than " + std::to_string(kMaxMetadataValues) +
                         " values; no supported model needs that many, so the file is damaged or not a model");
                }
                m_values += count;
                GgufArray arr;
                arr.elementType = elemType;
                arr.items.reserve(static_cast<std::size_t>(count));
                for (std::uint64_t k = 0; k < count; ++k) arr.items.push_back(value(elemType, key, depth + 1));
                v.value = std::move(arr);
                break;
            }
        }
        return v;
    }

    void readAlignment() {
        const GgufValue* v = m_f.find("general.alignment");
        if (v == nullptr) return;
        const auto a = v->asInt();
        if (v->type != GgufType::U32 || !a || *a == 0 || (*a & (*a - 1)) != 0) {
            fail("general.alignment must be a non-zero power of two stored as u32 (found " +
                 std::string(ggufTypeName(v->type)) + " " + v->toString() + ")");
        }
        m_f.m_alignment = static_cast<std::uint32_t>(*a);
    }

    GgufTensorInfo tensorInfo(std::uint64_t index) {
        GgufTensorInfo t;
        t.name = string("tensor name #" + std::to_string(index));
        if (t.name.empty() || t.name.size() >= kMaxNameBytes) {
            fail("tensor #" + std::to_string(index) + " has a name of " + std::to_string(t.name.size()) +
                 " bytes (must be 1.." + std::to_string(kMaxNameBytes - 1) + ")");
        }
        const auto nDims = u32();
        if (nDims == 0 || nDims > kMaxDims) {
            fail("tensor '" + t.name + "' has " + std::to_string(nDims) + " dimensions (must be 1.." + std::to_string(kMaxDims) + ")");
        }
        t.ne.resize(nDims);
        std::uint64_t elements = 1;
        for (auto& d : t.ne) {
            d = u64();
            if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                fail("tensor '" + t.name + "' has dimension " + std::to_string(d) + ", larger than int64");
            }
            if (d != 0 && elements > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / d) {
                fail("tensor '" + t.name + "' has an element count that overflows 64 bits");
            }
            elements *= d;
        }
        t.elements = elements;
        t.type = u32();
        const auto traits = ggmlTypeTraits(t.type);
        if (!traits) {
            fail("tensor '" + t.name + "' has unknown tensor type id " + std::to_string(t.type),
                 "The file uses a ggml type this reader does not know; re-quantize it to F16, Q8_0, Q4_0 or Q4_1.");
        }
        if (t.ne[0] % traits->blockElements != 0) {
            fail("tensor '" + t.name + "' has row length " + std::to_string(t.ne[0]) + ", not a multiple of the " +
                 traits->name + " block size " + std::to_string(traits->blockElements));
        }
        t.bytes = (elements / traits->blockElements) * traits->blockBytes;  // elements ≤ 2^63, blockBytes small
        if (elements != 0 && t.bytes / traits->blockBytes != elements / traits->blockElements) {
            fail("tensor '" + t.name + "' has a byte size that overflows 64 bits");
        }
        t.offset = u64();
        if (t.offset % m_f.m_alignment != 0) {
            fail("tensor '" + t.name + "' starts at data offset " + std::to_string(t.offset) +
                 ", not a multiple of the alignment " + std::to_string(m_f.m_alignment));
        }
        if (!m_f.m_tensorIndex.emplace(t.name, index).second) fail("tensor '" + t.name + "' appears twice");
        return t;
    }

    void checkTensorRanges() {
        const std::uint64_t dataBytes = m_size >= m_f.m_dataOffset ? m_size - m_f.m_dataOffset : 0;
        std::vector<const GgufTensorInfo*> byOffset;
        byOffset.reserve(m_f.m_tensors.size());
        for (const auto& t : m_f.m_tensors) {
            if (t.offset > dataBytes || t.bytes > dataBytes - t.offset) {
                fail("tensor '" + t.name + "' ends at byte " + std::to_string(m_f.m_dataOffset + t.offset + t.bytes) +
                         " but the file has " + std::to_string(m_size) + " bytes", kTruncatedHint);
            }
            byOffset.push_back(&t);
        }
        std::sort(byOffset.begin(), byOffset.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
        for (std::size_t k = 1; k < byOffset.size(); ++k) {
            const auto* prev = byOffset[k - 1];
            if (prev->offset + prev->bytes > byOffset[k]->offset) {
                fail("tensors '" + prev->name + "' and '" + byOffset[k]->name + "' overlap in the data section");
            }
        }
    }

    GgufFile& m_f;
    const std::uint8_t* m_data;
    std::uint64_t m_size;
    std::uint64_t m_pos = 0;
    std::uint64_t m_values = 0;  // array elements parsed so far (kMaxMetadataValues)
};

GgufFile GgufFile::open(const std::filesystem::path& path) {
    GgufFile f{MappedFile(path)};
    GgufParser(f).parse();
    return f;
}

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = m_keyIndex.find(std::string(key));
    return it == m_keyIndex.end() ? nullptr : &m_metadata[it->second].second;
}

namespace {
[[noreturn]] void wrongType(const GgufFile& f, std::string_view key, const GgufValue& v, const char* expected) {
    throw FormatError(f.path(), "metadata key '" + std::string(key) + "' is " + ggufTypeName(v.type) + ", expected " + expected);
}
}  // namespace

std::optional<std::int64_t> GgufFile::getInt(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    auto i = v->asInt();
    if (!v->isInteger() || !i) wrongType(*this, key, *v, "an integer");
    return i;
}

std::optional<double> GgufFile::getFloat(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    auto d = v->asDouble();
    if (!d) wrongType(*this, key, *v, "a number");
    return d;
}

std::optional<bool> GgufFile::getBool(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (const auto* b = std::get_if<bool>(&v->value)) return *b;
    wrongType(*this, key, *v, "a bool");
}

std::optional<std::string> GgufFile::getString(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&v->value)) return *s;
    wrongType(*this, key, *v, "a string");
}

const GgufArray* GgufFile::getArray(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (const auto* a = std::get_if<GgufArray>(&v->value)) return a;
    wrongType(*this, key, *v, "an array");
}

std::vector<std::string> GgufFile::getStringArray(std::string_view key) const {
    std::vector<std::string> out;
    const auto* a = getArray(key);
    if (!a) return out;
    if (a->elementType != GgufType::String) wrongType(*this, key, *find(key), "an array of strings");
    out.reserve(a->items.size());
    for (const auto& item : a->items) out.push_back(std::get<std::string>(item.value));
    return out;
}

std::vector<std::int64_t> GgufFile::getIntArray(std::string_view key) const {
    std::vector<std::int64_t> out;
    const auto* a = getArray(key);
    if (!a) return out;
    out.reserve(a->items.size());
    for (const auto& item : a->items) {
        auto i = item.asInt();
        if (!item.isInteger() || !i) wrongType(*this, key, *find(key), "an array of integers");
        out.push_back(*i);
    }
    return out;
}

std::vector<double> GgufFile::getFloatArray(std::string_view key) const {
    std::vector<double> out;
    const auto* a = getArray(key);
    if (!a) return out;
    out.reserve(a->items.size());
    for (const auto& item : a->items) {
        auto d = item.asDouble();
        if (!d) wrongType(*this, key, *find(key), "an array of numbers");
        out.push_back(*d);
    }
    return out;
}

const GgufTensorInfo* GgufFile::findTensor(std::string_view name) const {
    auto it = m_tensorIndex.find(std::string(name));
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

}  // namespace avss::io
