// GGUF reader: round trip through our writer, every metadata type, and one defect per corrupt file.
#include <catch2/catch.hpp>

#include <cstring>

#include "avss/error.h"
#include "io/ggml_type.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "support/temp_dir.h"

using namespace avss;
using namespace avss::io;
using Catch::Matchers::Contains;

namespace {

GgufWriter smallModelWriter() {
    GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setU32("llama.block_count", 2);
    w.setF32("llama.rope.freq_base", 10000.0f);
    w.setBool("tokenizer.ggml.add_bos_token", false);
    w.setStringArray("tokenizer.ggml.tokens", {"a", "b", "ab"});
    w.addF32Tensor("token_embd.weight", {4, 3}, std::vector<float>(12, 0.5f));
    w.addF32Tensor("output_norm.weight", {4}, {1, 2, 3, 4});
    return w;
}

void patchU64(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v) { std::memcpy(b.data() + at, &v, 8); }
void patchU32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

// Byte position of the first occurrence of `needle` (a name inside the header).
std::size_t find(const std::vector<std::uint8_t>& b, const std::string& needle) {
    for (std::size_t i = 0; i + needle.size() <= b.size(); ++i) {
        if (std::memcmp(b.data() + i, needle.data(), needle.size()) == 0) return i;
    }
    FAIL("needle not found: " << needle);
    return 0;
}

std::string openError(const std::vector<std::uint8_t>& bytes, const test::TempDir& dir) {
    const auto path = dir / "model.gguf";
    test::writeBytes(path, std::vector<unsigned char>(bytes.begin(), bytes.end()));
    try {
        GgufFile::open(path);
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        CHECK_THAT(msg, Contains(path.string()));  // every error names the file
        return msg;
    }
    FAIL("no FormatError thrown");
    return {};
}

}  // namespace

TEST_CASE("GGUF round trip keeps metadata and tensors", "[gguf]") {
    test::TempDir dir;
    auto w = smallModelWriter();
    GgufArray nested{GgufType::Array, {}};
    nested.items.push_back(GgufValue{GgufType::Array, GgufArray{GgufType::I16, {GgufValue{GgufType::I16, std::int64_t{-3}}}}});
    w.set("test.nested", GgufValue{GgufType::Array, nested});
    w.set("test.u8", GgufValue{GgufType::U8, std::uint64_t{200}});
    w.set("test.i8", GgufValue{GgufType::I8, std::int64_t{-100}});
    w.set("test.u16", GgufValue{GgufType::U16, std::uint64_t{65000}});
    w.set("test.i64", GgufValue{GgufType::I64, std::int64_t{-5000000000LL}});
    w.set("test.u64", GgufValue{GgufType::U64, std::uint64_t{1} << 40});
    w.set("test.f64", GgufValue{GgufType::F64, 0.125});
    w.write(dir / "m.gguf");

    const auto f = GgufFile::open(dir / "m.gguf");
    CHECK(f.version() == 3);
    CHECK(f.getString("general.architecture") == "llama");
    CHECK(f.getInt("llama.block_count") == 2);
    CHECK(f.getFloat("llama.rope.freq_base") == Approx(10000.0));
    CHECK(f.getBool("tokenizer.ggml.add_bos_token") == false);
    CHECK(f.getStringArray("tokenizer.ggml.tokens") == std::vector<std::string>{"a", "b", "ab"});
    CHECK(f.getInt("test.u8") == 200);
    CHECK(f.getInt("test.i8") == -100);
    CHECK(f.getInt("test.u16") == 65000);
    CHECK(f.getInt("test.i64") == -5000000000LL);
    CHECK(f.getInt("test.u64") == (std::int64_t{1} << 40));
    CHECK(f.getFloat("test.f64") == 0.125);
    const auto* arr = f.getArray("test.nested");
    REQUIRE(arr != nullptr);
    REQUIRE(arr->elementType == GgufType::Array);
    CHECK(std::get<GgufArray>(arr->items.at(0).value).items.at(0).asInt() == -3);
    CHECK_FALSE(f.getInt("absent.key").has_value());
    CHECK_THROWS_WITH(f.getString("llama.block_count"), Contains("llama.block_count") && Contains("expected a string"));

    REQUIRE(f.tensors().size() == 2);
    const auto* t = f.findTensor("token_embd.weight");
    REQUIRE(t != nullptr);
    CHECK(t->torchShape() == std::vector<std::int64_t>{3, 4});
    CHECK(t->bytes == 48);
    CHECK(t->offset % f.alignment() == 0);
    float v;
    std::memcpy(&v, f.tensorData(*t), 4);
    CHECK(v == 0.5f);
    const auto* n = f.findTensor("output_norm.weight");
    std::memcpy(&v, f.tensorData(*n) + 12, 4);
    CHECK(v == 4.0f);
}

TEST_CASE("GGUF honours general.alignment", "[gguf]") {
    test::TempDir dir;
    GgufWriter w(64);
    w.addF32Tensor("a", {3}, {1, 2, 3});
    w.addF32Tensor("b", {5}, {1, 2, 3, 4, 5});
    w.write(dir / "m.gguf");
    const auto f = GgufFile::open(dir / "m.gguf");
    CHECK(f.alignment() == 64);
    CHECK(f.dataOffset() % 64 == 0);
    CHECK(f.findTensor("b")->offset == 64);
}

TEST_CASE("corrupt GGUF files give one clear error each", "[gguf][corrupt]") {
    test::TempDir dir;
    const auto good = smallModelWriter().toBytes();

    SECTION("truncated in the header") {
        std::vector<std::uint8_t> b(good.begin(), good.begin() + 40);
        CHECK_THAT(openError(b, dir), Contains("truncated"));
        std::vector<std::uint8_t> c(good.begin(), good.begin() + 200);
        CHECK_THAT(openError(c, dir), Contains("truncated"));
    }
    SECTION("truncated in the tensor data") {
        std::vector<std::uint8_t> b(good.begin(), good.end() - 20);
        CHECK_THAT(openError(b, dir), Contains("output_norm.weight") && Contains("ends at byte"));
    }
    SECTION("empty file") {
        CHECK_THAT(openError({}, dir), Contains("unexpected end of file"));
    }
    SECTION("wrong magic") {
        auto b = good;
        std::memcpy(b.data(), "GGML", 4);
        CHECK_THAT(openError(b, dir), Contains("not a GGUF file"));
    }
    SECTION("wrong version") {
        auto b = good;
        patchU32(b, 4, 1);
        CHECK_THAT(openError(b, dir), Contains("GGUF version 1 is not supported"));
        patchU32(b, 4, 7);
        CHECK_THAT(openError(b, dir), Contains("GGUF version 7"));
    }
    SECTION("big-endian file") {
        auto b = good;
        patchU32(b, 4, 0x03000000);
        CHECK_THAT(openError(b, dir), Contains("big-endian"));
    }
    SECTION("absurd tensor count") {
        auto b = good;
        patchU64(b, 8, std::uint64_t{1} << 60);
        CHECK_THAT(openError(b, dir), Contains("tensor count"));
    }
    SECTION("absurd metadata count") {
        auto b = good;
        patchU64(b, 16, ~std::uint64_t{0});
        CHECK_THAT(openError(b, dir), Contains("metadata count"));
    }
    SECTION("absurd string length") {
        auto b = good;
        patchU64(b, 24, std::uint64_t{1} << 62);  // length of the first key
        CHECK_THAT(openError(b, dir), Contains("string length"));
    }
    SECTION("absurd array length") {
        auto b = good;
        const auto at = find(b, "tokenizer.ggml.tokens") + std::strlen("tokenizer.ggml.tokens") + 4 + 4;
        patchU64(b, at, std::uint64_t{1} << 61);
        CHECK_THAT(openError(b, dir), Contains("tokenizer.ggml.tokens") && Contains("more than the file can hold"));
    }
    SECTION("absurd dimension") {
        auto b = good;
        const auto at = find(b, "token_embd.weight") + std::strlen("token_embd.weight") + 4;
        patchU64(b, at, std::uint64_t{1} << 63);
        CHECK_THAT(openError(b, dir), Contains("token_embd.weight") && Contains("dimension"));
    }
    SECTION("element count overflow") {
        auto b = good;
        const auto at = find(b, "token_embd.weight") + std::strlen("token_embd.weight") + 4;
        patchU64(b, at, std::uint64_t{1} << 40);
        patchU64(b, at + 8, std::uint64_t{1} << 40);
        CHECK_THAT(openError(b, dir), Contains("token_embd.weight") && Contains("overflows"));
    }
    SECTION("too many dimensions") {
        auto b = good;
        const auto at = find(b, "token_embd.weight") + std::strlen("token_embd.weight");
        patchU32(b, at, 9);
        CHECK_THAT(openError(b, dir), Contains("token_embd.weight") && Contains("9 dimensions"));
    }
    SECTION("offset past the end") {
        auto b = good;
        const auto at = find(b, "output_norm.weight") + std::strlen("output_norm.weight") + 4 + 8 + 4;
        patchU64(b, at, std::uint64_t{1} << 40);
        CHECK_THAT(openError(b, dir), Contains("output_norm.weight") && Contains("ends at byte"));
    }
    SECTION("misaligned offset") {
        auto b = good;
        const auto at = find(b, "output_norm.weight") + std::strlen("output_norm.weight") + 4 + 8 + 4;
        patchU64(b, at, 4);
        CHECK_THAT(openError(b, dir), Contains("output_norm.weight") && Contains("alignment"));
    }
    SECTION("overlapping tensors") {
        auto b = good;
        const auto at = find(b, "output_norm.weight") + std::strlen("output_norm.weight") + 4 + 8 + 4;
        patchU64(b, at, 32);
        CHECK_THAT(openError(b, dir), Contains("overlap"));
    }
    SECTION("unknown tensor type") {
        auto b = good;
        const auto at = find(b, "output_norm.weight") + std::strlen("output_norm.weight") + 4 + 8;
        patchU32(b, at, 42);
        CHECK_THAT(openError(b, dir), Contains("output_norm.weight") && Contains("unknown tensor type id 42"));
    }
    SECTION("invalid metadata value type") {
        auto b = good;
        const auto at = find(b, "llama.block_count") + std::strlen("llama.block_count");
        patchU32(b, at, 99);
        CHECK_THAT(openError(b, dir), Contains("llama.block_count") && Contains("invalid value type"));
    }
    SECTION("invalid bool") {
        auto b = good;
        const auto at = find(b, "tokenizer.ggml.add_bos_token") + std::strlen("tokenizer.ggml.add_bos_token") + 4;
        b[at] = 7;
        CHECK_THAT(openError(b, dir), Contains("add_bos_token") && Contains("bool"));
    }
    SECTION("bad alignment") {
        auto w = smallModelWriter();
        w.setU32("general.alignment", 48);
        CHECK_THAT(openError(w.toBytes(), dir), Contains("general.alignment"));
    }
    SECTION("duplicate key") {
        auto b = good;
        const auto at = find(b, "llama.rope.freq_base");
        std::memcpy(b.data() + at, "general.architecture", 20);  // same length: now the key appears twice
        CHECK_THAT(openError(b, dir), Contains("general.architecture") && Contains("appears twice"));
    }
    SECTION("metadata arrays too large to hold in memory") {
        // u8 arrays of 1 and 8M elements: every byte is in the file, but parsed they would pass the
        // 8M-value cap (a value costs ~56 bytes: a 1 GB file could ask for 56 GB). Counted across keys.
        std::vector<std::uint8_t> b = {'G', 'G', 'U', 'F'};
        const auto put = [&b](const void* p, std::size_t n) { b.insert(b.end(), static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n); };
        const std::uint32_t version = 3, arrayType = 9, u8Type = 0;
        const std::uint64_t tensors = 0, kvs = 2;
        put(&version, 4), put(&tensors, 8), put(&kvs, 8);
        for (const auto& [key, count] : {std::pair<std::string, std::uint64_t>{"a.first", 1}, {"a.second", std::uint64_t{8} << 20}}) {
            const std::uint64_t len = key.size();
            put(&len, 8), put(key.data(), key.size()), put(&arrayType, 4), put(&u8Type, 4), put(&count, 8);
            b.resize(b.size() + count, 1);
        }
        CHECK_THAT(openError(b, dir), Contains("a.second") && Contains("more than 8388608 values"));
    }
}

TEST_CASE("missing or non-regular files give an IoError naming the path", "[gguf]") {
    test::TempDir dir;
    CHECK_THROWS_AS(GgufFile::open(dir / "absent.gguf"), IoError);
    CHECK_THROWS_WITH(GgufFile::open(dir / "absent.gguf"), Contains("absent.gguf"));
    CHECK_THROWS_WITH(GgufFile::open(dir.path()), Contains("not a regular file"));
}

TEST_CASE("ggml type table", "[gguf]") {
    CHECK(ggmlTypeTraits(3)->blockBytes == 20);
    CHECK(ggmlTypeTraits(8)->blockBytes == 34);
    CHECK_FALSE(ggmlTypeTraits(4).has_value());  // removed type
    CHECK(ggmlTypeName(99) == "unknown(99)");
}
