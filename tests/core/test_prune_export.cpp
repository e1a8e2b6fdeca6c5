// Depth-pruned export: renumbered blocks, trimmed metadata, reload self-check, errors and cancel.
#include "support/torch_catch.h"

#include <iostream>

#include "avss/error.h"
#include "avss/prune_export.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

// A tiny model whose metadata also carries a per-layer array, as newer GGUFs do for some keys.
std::filesystem::path tinyWithPerLayerKey(const test::TempDir& dir) {
    const auto base = test::writeTinyModel(dir.path(), {4, 32, 4, 2, 64});
    const auto f = io::GgufFile::open(base);
    io::GgufWriter w;
    for (const auto& [k, v] : f.metadata()) w.set(k, v);
    w.setI32Array("llama.test_per_layer", {10, 11, 12, 13});
    for (const auto& t : f.tensors()) w.addTensorView(t.name, t.ne, t.type, f.tensorData(t), t.bytes);
    const auto path = dir / "tiny4.gguf";
    w.write(path);
    return path;
}

}  // namespace

TEST_CASE("exported pruned model equals the skip-mask forward", "[export]") {
    test::TempDir dir;
    const auto model = Model::load(tinyWithPerLayerKey(dir), LoadOptions{Device::Cpu});
    const auto out = dir / "pruned.gguf";
    const auto r = exportPrunedModel(*model, {2, 1}, out);
    CHECK(r.removed == std::vector<int>{1, 2});
    CHECK(r.kept == std::vector<int>{0, 3});
    CHECK(r.selfChecked);
    // The reloaded file runs the same fp32 ops on the same weights as the skip-mask forward (0 reached).
    std::cout << "export self-check: max |diff| / max |logit| = " << r.maxLogitDiff / r.maxLogit << "\n";
    CHECK(r.maxLogit > 0);
    CHECK(r.maxLogitDiff <= 1e-6 * r.maxLogit);

    const auto f = io::GgufFile::open(out);
    CHECK(f.getInt("llama.block_count") == 2);
    CHECK(f.getIntArray("llama.test_per_layer") == std::vector<std::int64_t>{10, 13});
    CHECK(f.getIntArray("avss.pruned.removed_layers") == std::vector<std::int64_t>{1, 2});
    CHECK(f.getInt("avss.pruned.original_block_count") == 4);
    CHECK(f.findTensor("blk.2.attn_q.weight") == nullptr);
    const auto src = io::GgufFile::open(model->info().path);
    const auto* moved = f.findTensor("blk.1.ffn_down.weight");  // was blk.3
    const auto* orig = src.findTensor("blk.3.ffn_down.weight");
    REQUIRE(moved != nullptr);
    CHECK(std::equal(f.tensorData(*moved), f.tensorData(*moved) + moved->bytes, src.tensorData(*orig)));

    const auto pruned = Model::load(out, LoadOptions{Device::Cpu});
    CHECK(pruned->info().hparams.layers == 2);
    torch::NoGradGuard g;
    const auto tokens = torch::tensor({50, 60, 70, 80}, torch::kInt64).unsqueeze(0);
    const auto mask = torch::ones_like(tokens, torch::kBool);
    const auto skip = model::skipMask(4, {1, 2});
    model::ForwardOptions o;
    o.skip = &skip;
    const auto want = model::forward(modelImpl(*model), tokens, mask, o);
    CHECK((model::forward(modelImpl(*pruned), tokens, mask) - want).abs().max().item<double>() <= 1e-6 * want.abs().max().item<double>());
}

TEST_CASE("export refuses bad requests and leaves nothing behind when cancelled", "[export]") {
    test::TempDir dir;
    const auto model = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    CHECK_THROWS_AS(exportPrunedModel(*model, {0, 1, 2}, dir / "none.gguf"), UsageError);
    CHECK_THROWS_WITH(exportPrunedModel(*model, {7}, dir / "x.gguf"), Contains("layer 7"));
    CHECK_THROWS_WITH(exportPrunedModel(*model, {1}, model->info().path), Contains("is the model being pruned"));
    CancelToken cancel;
    cancel.cancel();
    CHECK_THROWS_AS(exportPrunedModel(*model, {1}, dir / "c.gguf", {}, {}, &cancel), Cancelled);
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) left.push_back(e.path().filename().string());
    CHECK(left == std::vector<std::string>{"tiny.gguf"});
    CHECK_THROWS_AS(exportPrunedModel(*model, {1}, dir / "missing-folder" / "p.gguf"), IoError);
}
