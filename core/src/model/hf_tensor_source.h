// A Hugging Face checkpoint seen under llama.cpp's tensor names, with the conventions llama.cpp's
// converters apply made here instead: Gemma's norm weights become 1 + w, Llama 3 RoPE scaling becomes
// a rope_freqs.weight computed from config.json, and Q/K rows stay in Hugging Face order.
#pragma once

#include <map>

#include "io/hf_checkpoint.h"
#include "model/arch_traits.h"
#include "model/hf_hparams.h"
#include "model/tensor_source.h"

namespace avss::model {

class HfTensorSource final : public TensorSource {
public:
    // FormatError naming config.json when tie_word_embeddings is false and lm_head.weight is absent.
    HfTensorSource(const io::HfCheckpoint& c, const HfModelConfig& config, const ProgressFn& progress, const CancelToken* cancel);
    const std::filesystem::path& path() const override { return m_c.dir(); }
    bool has(const std::string& name) const override;
    bool permutedQK() const override { return false; }

    // The checkpoint name behind a llama.cpp name ("" when there is none) for this architecture.
    static std::string checkpointName(const std::string& ggufName, const ArchTraits& arch);
    // The same, as `c` spells it (GPT-2 checkpoints with or without the "transformer." prefix).
    static std::string checkpointNameIn(const io::HfCheckpoint& c, const std::string& ggufName, const ArchTraits& arch);
    // Every llama.cpp tensor name this architecture's checkpoints can hold (globals, then blocks 0..layers-1).
    static std::vector<std::string> knownNames(const ArchTraits& arch, int layers);
    // GPT-2's Conv1D weights, stored [in, out]: transposed when read and when written back.
    static bool isConv1D(const std::string& ggufName, const ArchTraits& arch);

private:
    std::optional<Stored> lookup(const std::string& name) const override;
    void finished(const std::string& name, at::Tensor& value) const override;
    std::vector<std::string> ownNames() const override { return m_c.tensorNames(); }
    std::size_t ownCount() const override { return m_c.tensorCount(); }
    std::string ownNameOf(const std::string& name) const override { return checkpointNameIn(m_c, name, *m_config.arch); }

    const io::HfCheckpoint& m_c;
    const HfModelConfig& m_config;
    bool m_tied;
};

}  // namespace avss::model
