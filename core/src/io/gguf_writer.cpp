// GGUF v3 serialisation (little-endian, default alignment 32).
#include "io/gguf_writer.h"

#include <cstring>

#include "avss/error.h"
#include "io/ggml_type.h"
#include "util/atomic_file.h"

namespace avss::io {

std::vector<std::uint64_t> ggmlShape(const std::vector<std::int64_t>& torchShape) {
    return {torchShape.rbegin(), torchShape.rend()};
}

namespace {

class Out {
public:
    explicit Out(std::vector<std::uint8_t>& b) : m_b(b) {}
    template <class T>
    void raw(T v) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        m_b.insert(m_b.end(), p, p + sizeof(T));
    }
    void str(const std::string& s) {
        raw<std::uint64_t>(s.size());
        m_b.insert(m_b.end(), s.begin(), s.end());
    }
    void value(const GgufValue& v) {
        switch (v.type) {
            case GgufType::U8: raw<std::uint8_t>(static_cast<std::uint8_t>(std::get<std::uint64_t>(v.value))); break;
            case GgufType::I8: raw<std::int8_t>(static_cast<std::int8_t>(std::get<std::int64_t>(v.value))); break;
            case GgufType::U16: raw<std::uint16_t>(static_cast<std::uint16_t>(std::get<std::uint64_t>(v.value))); break;
            case GgufType::I16: raw<std::int16_t>(static_cast<std::int16_t>(std::get<std::int64_t>(v.value))); break;
            case GgufType::U32: raw<std::uint32_t>(static_cast<std::uint32_t>(std::get<std::uint64_t>(v.value))); break;
            case GgufType::I32: raw<std::int32_t>(static_cast<std::int32_t>(std::get<std::int64_t>(v.value))); break;
            case GgufType::U64: raw<std::uint64_t>(std::get<std::uint64_t>(v.value)); break;
            case GgufType::I64: raw<std::int64_t>(std::get<std::int64_t>(v.value)); break;
            case GgufType::F32: raw<float>(static_cast<float>(std::get<double>(v.value))); break;
            case GgufType::F64: raw<double>(std::get<double>(v.value)); break;
            case GgufType::Bool: raw<std::uint8_t>(std::get<bool>(v.value) ? 1 : 0); break;
            case GgufType::String: str(std::get<std::string>(v.value)); break;
            case GgufType::Array: {
                const auto& a = std::get<GgufArray>(v.value);
                raw<std::uint32_t>(static_cast<std::uint32_t>(a.elementType));
                raw<std::uint64_t>(a.items.size());
                for (const auto& item : a.items) value(item);
                break;
            }
        }
    }
    void pad(std::uint32_t alignment) {
        while (m_b.size() % alignment != 0) m_b.push_back(0);
    }

private:
    std::vector<std::uint8_t>& m_b;
};

GgufValue scalar(GgufType t, std::uint64_t u) { return GgufValue{t, u}; }

}  // namespace

void GgufWriter::set(const std::string& key, GgufValue value) {
    for (auto& [k, v] : m_kv) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    m_kv.emplace_back(key, std::move(value));
}

void GgufWriter::setU32(const std::string& key, std::uint32_t v) { set(key, scalar(GgufType::U32, v)); }
void GgufWriter::setU64(const std::string& key, std::uint64_t v) { set(key, scalar(GgufType::U64, v)); }
void GgufWriter::setI32(const std::string& key, std::int32_t v) { set(key, GgufValue{GgufType::I32, std::int64_t{v}}); }
void GgufWriter::setF32(const std::string& key, float v) { set(key, GgufValue{GgufType::F32, double{v}}); }
void GgufWriter::setBool(const std::string& key, bool v) { set(key, GgufValue{GgufType::Bool, v}); }
void GgufWriter::setString(const std::string& key, std::string v) { set(key, GgufValue{GgufType::String, std::move(v)}); }

void GgufWriter::setStringArray(const std::string& key, const std::vector<std::string>& v) {
    GgufArray a{GgufType::String, {}};
    a.items.reserve(v.size());
    for (const auto& s : v) a.items.push_back(GgufValue{GgufType::String, s});
    set(key, GgufValue{GgufType::Array, std::move(a)});
}

void GgufWriter::setI32Array(const std::string& key, const std::vector<std::int32_t>& v) {
    GgufArray a{GgufType::I32, {}};
    for (auto x : v) a.items.push_back(GgufValue{GgufType::I32, std::int64_t{x}});
    set(key, GgufValue{GgufType::Array, std::move(a)});
}

void GgufWriter::setF32Array(const std::string& key, const std::vector<float>& v) {
    GgufArray a{GgufType::F32, {}};
    for (auto x : v) a.items.push_back(GgufValue{GgufType::F32, double{x}});
    set(key, GgufValue{GgufType::Array, std::move(a)});
}

void GgufWriter::addTensor(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t type,
                           std::vector<std::uint8_t> data) {
    const auto size = data.size();
    m_tensors.push_back(Tensor{name, std::move(ne), type, std::move(data), nullptr, size});
    m_tensors.back().data = m_tensors.back().owned.data();  // a moved vector keeps its buffer, so this stays valid
}

void GgufWriter::addTensorView(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t type,
                               const std::uint8_t* data, std::uint64_t size) {
    m_tensors.push_back(Tensor{name, std::move(ne), type, {}, data, size});
}

void GgufWriter::addF32Tensor(const std::string& name, std::vector<std::uint64_t> ne, const std::vector<float>& values) {
    std::vector<std::uint8_t> bytes(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    addTensor(name, std::move(ne), static_cast<std::uint32_t>(GgmlType::F32), std::move(bytes));
}

std::vector<std::uint8_t> GgufWriter::header() const {
    std::vector<std::uint8_t> b;
    Out out(b);
    out.raw<std::uint32_t>(0x46554747);
    out.raw<std::uint32_t>(3);
    out.raw<std::uint64_t>(m_tensors.size());
    const bool hasAlignmentKey = [&] {
        for (const auto& kv : m_kv) if (kv.first == "general.alignment") return true;
        return false;
    }();
    out.raw<std::uint64_t>(m_kv.size() + ((m_alignment != 32 && !hasAlignmentKey) ? 1 : 0));
    for (const auto& [k, v] : m_kv) {
        out.str(k);
        out.raw<std::uint32_t>(static_cast<std::uint32_t>(v.type));
        out.value(v);
    }
    if (m_alignment != 32 && !hasAlignmentKey) {
        out.str("general.alignment");
        out.raw<std::uint32_t>(static_cast<std::uint32_t>(GgufType::U32));
        out.raw<std::uint32_t>(m_alignment);
    }
    std::uint64_t offset = 0;
    for (const auto& t : m_tensors) {
        out.str(t.name);
        out.raw<std::uint32_t>(static_cast<std::uint32_t>(t.ne.size()));
        for (auto d : t.ne) out.raw<std::uint64_t>(d);
        out.raw<std::uint32_t>(t.type);
        out.raw<std::uint64_t>(offset);
        offset += t.size;
        offset += (m_alignment - offset % m_alignment) % m_alignment;
    }
    out.pad(m_alignment);
    return b;
}

// Feeds the file to sink(pointer, size) piece by piece: header, then each tensor and its padding.
template <class Sink>
void GgufWriter::emit(Sink&& sink, const CancelToken* cancel) const {
    const auto head = header();
    sink(head.data(), head.size());
    static const std::uint8_t zeros[64] = {};
    for (const auto& t : m_tensors) {
        if (cancel) cancel->throwIfCancelled();
        sink(t.data, t.size);
        std::uint64_t pad = (m_alignment - t.size % m_alignment) % m_alignment;
        while (pad > 0) {
            const auto n = std::min<std::uint64_t>(pad, sizeof zeros);
            sink(zeros, n);
            pad -= n;
        }
    }
}

std::vector<std::uint8_t> GgufWriter::toBytes() const {
    std::vector<std::uint8_t> b;
    emit([&](const std::uint8_t* p, std::uint64_t n) { b.insert(b.end(), p, p + n); }, nullptr);
    return b;
}

void GgufWriter::write(const std::filesystem::path& path, const CancelToken* cancel) const {
    util::AtomicFile file(path);
    emit([&](const std::uint8_t* p, std::uint64_t n) { file.write(p, static_cast<std::size_t>(n)); }, cancel);
    file.commit();
}

}  // namespace avss::io
