// Fine-tuned export (see avss/tuned_export.h): the inverse of the load-time folding for the trained
// layers, every other tensor copied as stored; a GGUF from a GGUF, a Hugging Face folder from a folder.
#include "avss/tuned_export.h"

#include "avss/contrastive_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "avss/error.h"
#include "io/ggml_type.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "avss/prune_export.h"
#include "model/export_check.h"
#include "model/hf_folder_export.h"
#include "model/hf_tensor_source.h"
#include "model/hparams.h"
#include "model/model_impl.h"
#include "model/weights.h"

namespace avss {
namespace {


std::vector<float> values(const at::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// The tensors of one trained layer under llama.cpp's names, in the source file's own layout: Q/K
// rows re-permuted for a GGUF whose converter permuted them, norm weights as the file stores a norm
// of one (the norms are folded into the projections; a LayerNorm's bias of zero, its shift being in
// the folded biases). Post norms, q/k norms and GPT-2's output/down biases are not trained: the
// source's tensors are copied.
std::map<std::string, at::Tensor> layerTensors(const Model::Impl& m, int l, bool gguf) {
    const auto& hp = m.hp;
    const auto& lw = m.weights.layers[static_cast<std::size_t>(l)];
    const auto& w = lw.wqkv.fp32();
    if (!w.defined()) throw UsageError({}, "the tuned model does not hold fp32 weights");
    const double qScale = m.weights.qRowScale;  // what weights.cpp folded into the q rows
    auto q = w.narrow(0, 0, hp.qRows()) / qScale;
    auto k = w.narrow(0, hp.qRows(), hp.kvRows());
    const auto v = w.narrow(0, hp.qRows() + hp.kvRows(), hp.kvRows());
    if (gguf && m.arch->ggufPermutedQK) {
        q = model::permuteRows(q, hp.heads, hp.headDim);
        k = model::permuteRows(k, hp.kvHeads, hp.headDim);
    }
    const std::string p = "blk." + std::to_string(l) + ".";
    const auto unitNorm = (!gguf && m.arch->hfNormPlusOne) ? torch::zeros({hp.hidden}) : torch::ones({hp.hidden});  // Gemma folders: 1 + w
    std::map<std::string, at::Tensor> out{{p + "attn_norm.weight", unitNorm},  // folded into the projections
                                          {p + "attn_q.weight", q},
                                          {p + "attn_k.weight", k},
                                          {p + "attn_v.weight", v},
                                          {p + "attn_output.weight", lw.wo.fp32()},
                                          {p + "ffn_norm.weight", unitNorm},
                                          {p + "ffn_down.weight", lw.wDown.fp32()}};
    if (m.arch->fusedQkv) {  // the file's own layout: one tensor, q then k then v
        out[p + "attn_qkv.weight"] = torch::cat({out[p + "attn_q.weight"], out[p + "attn_k.weight"], v});
        for (const char* name : {"attn_q.weight", "attn_k.weight", "attn_v.weight"}) out.erase(p + name);
    }
    if (m.arch->fusedGateUp || !m.arch->gatedMlp) {  // one tensor: gate then up, or a plain MLP's up
        out[p + "ffn_up.weight"] = lw.wGateUp.fp32();
    } else {
        out[p + "ffn_gate.weight"] = lw.wGateUp.fp32().narrow(0, 0, hp.ffn);
        out[p + "ffn_up.weight"] = lw.wGateUp.fp32().narrow(0, hp.ffn, hp.ffn);
    }
    if (m.arch->norm == model::NormKind::Layer) {
        out[p + "attn_norm.bias"] = torch::zeros({hp.hidden});
        out[p + "ffn_norm.bias"] = torch::zeros({hp.hidden});
        out[p + "ffn_up.bias"] = lw.bGateUp;  // with the folded ffn_norm shift
    }
    if (m.arch->qkvBias && m.arch->fusedQkv) {
        out[p + "attn_qkv.bias"] = torch::cat({lw.bqkv.narrow(0, 0, hp.qRows()) / qScale, lw.bqkv.narrow(0, hp.qRows(), 2 * hp.kvRows())});
    } else if (m.arch->qkvBias) {
        out[p + "attn_q.bias"] = lw.bqkv.narrow(0, 0, hp.qRows()) / qScale;
        out[p + "attn_k.bias"] = lw.bqkv.narrow(0, hp.qRows(), hp.kvRows());
        out[p + "attn_v.bias"] = lw.bqkv.narrow(0, hp.qRows() + hp.kvRows(), hp.kvRows());
    }
    return out;
}

void writeTunedGguf(const ModelInfo& info, const std::map<std::string, at::Tensor>& replaced, ExportResult& r,
                    const std::filesystem::path& out, const CancelToken* cancel) {
    const auto src = io::GgufFile::open(info.path);
    io::GgufWriter w(src.alignment());
    for (const auto& [key, value] : src.metadata()) {
        if (key != "general.alignment") w.set(key, value);
    }
    w.setI32Array("avss.tuned.layers", std::vector<std::int32_t>(r.kept.begin(), r.kept.end()));
    w.setString("avss.tuned.source_fingerprint", info.fingerprint);
    std::size_t written = 0;
    for (const auto& t : src.tensors()) {
        const auto it = replaced.find(t.name);
        if (it == replaced.end()) {
            w.addTensorView(t.name, t.ne, t.type, src.tensorData(t), t.bytes);
            continue;
        }
        const auto ne = io::ggmlShape(it->second.sizes().vec());
        if (t.ne != ne) {
            throw UsageError(out, "tensor '" + t.name + "' of the tuned model does not match the source's shape");
        }
        w.addF32Tensor(t.name, ne, values(it->second));
        ++written;
    }
    if (written != replaced.size()) throw FormatError(info.path, "the file lacks some tensors of the trained layers");
    w.write(out, cancel);
    r.bytes = std::filesystem::file_size(out);
}

}  // namespace

ExportResult exportTunedModel(const Model& original, const Model& tuned, const std::vector<int>& layers, const std::filesystem::path& out,
                              const ExportOptions& options, const ProgressFn& progress, const CancelToken* cancel) {
    const auto start = std::chrono::steady_clock::now();
    const auto& info = original.info();
    if (!isTunedCopy(tuned.info(), info)) {
        throw UsageError(out, "the tuned model is not a tuned copy of this model");
    }
    std::error_code ec;
    if (std::filesystem::equivalent(out, info.path, ec)) throw UsageError(out, "is the model being tuned", "Choose another output file.");
    ExportResult r;
    r.path = out;
    r.layersBefore = info.hparams.layers;
    report(progress, Progress{"exporting", 0, 2, "steps"});
    std::map<std::string, at::Tensor> replaced;
    model::checkLayerNumbers(layers, info.hparams.layers);
    const bool folder = prunedExportIsFolder(info);  // a Hugging Face folder gives a folder, as for pruning
    {
        torch::NoGradGuard noGrad;
        for (int l : std::set<int>(layers.begin(), layers.end())) {
            for (auto& [name, t] : layerTensors(modelImpl(tuned), l, !folder)) replaced[name] = t;
            r.kept.push_back(l);  // the layers written anew
        }
    }
    if (folder) {
        model::HfFolderEdit edit{{}, {}, "avss_tuned",
                                 {{"tuned_layers", r.kept}, {"source", info.path.string()}, {"source_fingerprint", info.fingerprint}}};
        for (int l = 0; l < info.hparams.layers; ++l) edit.kept.push_back(l);
        const auto& arch = *modelImpl(original).arch;
        const auto checkpoint = io::HfCheckpoint::open(info.path);
        for (const auto& [name, t] : replaced) {
            const auto stored = model::HfTensorSource::isConv1D(name, arch) ? t.t().contiguous() : t;  // GPT-2: [in, out]
            edit.replaced[model::HfTensorSource::checkpointNameIn(checkpoint, name, arch)] = {stored.sizes().vec(), values(stored)};
        }
        r.bytes = model::writeHfFolder(info, edit, out, cancel);
    } else {
        writeTunedGguf(info, replaced, r, out, cancel);
    }
    report(progress, Progress{"exporting", 1, 2, "steps"});
    if (options.selfCheck) {
        if (cancel) cancel->throwIfCancelled();
        model::checkExportOrDelete(tuned, nullptr, out, options.checkTokens, "the reloaded tuned model differs from the tuned model", r);
    }
    report(progress, Progress{"exporting", 2, 2, "steps"});
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace avss
