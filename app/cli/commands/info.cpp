// avss info MODEL: architecture, dimensions, tensor types, tokenizer, parameter count; the BLAS it runs on.
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "avss/blas_info.h"

namespace avss::cli {
namespace {

int runInfo(const ParsedArgs& args, Context& ctx) {
    const auto model = ctx.loadModel(args);
    const auto& i = model->info();
    const auto& hp = i.hparams;
    const auto& tok = model->tokenizer();
    std::cout << "file            " << i.path.string() << " (" << i.fileBytes << " bytes, " << i.format << ")\n"
              << "name            " << i.name << "\n"
              << "architecture    " << i.arch << "\n"
              << "layers          " << hp.layers << "\n"
              << "hidden size     " << hp.hidden << "\n"
              << "MLP width       " << hp.ffn << "\n"
              << "attention heads " << hp.heads << " query / " << hp.kvHeads << " key-value, head size " << hp.headDim << "\n"
              << "vocabulary      " << hp.vocab << "\n"
              << "context length  " << hp.contextLength << "\n";
    if (hp.learnedPositions) std::cout << "positions       " << hp.positionName(0) << "\n";
    else std::cout << "rope base       " << hp.ropeBase << "\n" << "rope scaling    " << hp.ropeScalingName() << "\n";
    std::cout << "attention       " << hp.attentionSummary() << "\n"
              << "scoring         " << hp.scoringName() << "\n"
              << "norm epsilon    " << hp.normEps << "\n"
              << "tied embeddings " << (i.tiedEmbeddings ? "yes" : "no") << "\n"
              << "parameters      " << i.parameterCount << "\n"
              << "tensor types    ";
    bool first = true;
    for (const auto& [type, count] : i.tensorTypeCounts) {
        std::cout << (first ? "" : ", ") << type << " x" << count;
        first = false;
    }
    std::cout << "\ntokenizer       " << tok.spec().model << " (pre: " << tok.spec().pre << "), " << tok.vocabSize()
              << " tokens, " << tok.spec().merges.size() << " merges, bos " << tok.bosId() << ", eos " << tok.eosId()
              << (tok.prependsBos() ? ", adds BOS" : ", adds no BOS") << "\n"
              << "fingerprint     " << i.fingerprint << "\n"
              << "device          " << i.device << "\n"
              << "weights         " << weightStorageName(i.weightStorage) << ", " << std::fixed << std::setprecision(1)
              << static_cast<double>(i.weightBytes) / (1 << 20) << " MiB in memory\n"
              << "load time       " << std::fixed << std::setprecision(2) << i.loadSeconds << " s\n";
    if (!i.unusedTensors.empty()) std::cout << "unused tensors  " << i.unusedTensors.size() << " (not needed by the forward pass)\n";
    const auto blas = blasInfo();
    std::cout << "BLAS            " << blas.library;
    if (blas.threads > 0) std::cout << ", " << blas.threads << " threads";
    std::cout << "\nBLAS kernels    " << (blas.coreName.empty() ? "unknown" : blas.coreName) << ", " << blas.reason << "\n";
    if (const auto gflops = measureBlasGflops()) std::cout << "BLAS fp32 GEMM  " << std::setprecision(1) << *gflops << " GFLOP/s (1024^3, measured now)\n";
    std::cout << "bf16 products   " << blas.bf16 << " (--weights bf16)\n";
    if (args.has("tensors")) {
        std::cout << "\n";
        for (const auto& t : i.tensors) {
            std::cout << std::left << std::setw(34) << t.name << std::setw(6) << t.type << " [";
            for (std::size_t d = 0; d < t.shape.size(); ++d) std::cout << (d ? ", " : "") << t.shape[d];
            std::cout << "]  " << t.bytes << " bytes\n";
        }
    }
    if (args.has("metadata")) {
        std::cout << "\n";
        for (const auto& [k, v] : i.metadata) std::cout << k << " = " << v << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec infoCommand() {
    CommandSpec c;
    c.name = "info";
    c.summary = "Show a model's architecture, dimensions, tensor types, tokenizer and parameter count";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"tensors", "", "also list every tensor with its type, shape and size", ""},
                 {"metadata", "", "also list every metadata key", ""}};
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runInfo;
    return c;
}

}  // namespace avss::cli
