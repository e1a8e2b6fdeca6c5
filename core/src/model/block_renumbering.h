// The kept blocks of a pruned export renumbered 0..K-1 in tensor names: the one rule behind the
// GGUF, Hugging Face folder and cross-format exports.
#pragma once

#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace avss::model {

class BlockRenumbering {
public:
    // `pattern` has three groups: the prefix, the block number, the rest ("blk.N.rest" by default).
    BlockRenumbering(int layers, const std::vector<int>& kept, const std::string& pattern = R"(^(blk\.)(\d+)\.(.+)$)");

    // A global tensor's name unchanged, a kept block's renumbered, nullopt for a removed block.
    // FormatError naming `file` when the name's block number is not below the model's block count.
    std::optional<std::string> rename(const std::string& name, const std::filesystem::path& file) const;

private:
    int m_layers;
    std::vector<int> m_newIndex;  // -1: removed
    std::regex m_pattern;
};

}  // namespace avss::model
