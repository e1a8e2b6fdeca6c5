// See block_renumbering.h.
#include "model/block_renumbering.h"

#include "avss/error.h"

namespace avss::model {

BlockRenumbering::BlockRenumbering(int layers, const std::vector<int>& kept, const std::string& pattern)
    : m_layers(layers), m_newIndex(static_cast<std::size_t>(layers), -1), m_pattern(pattern) {
    for (std::size_t i = 0; i < kept.size(); ++i) m_newIndex[static_cast<std::size_t>(kept[i])] = static_cast<int>(i);
}

std::optional<std::string> BlockRenumbering::rename(const std::string& name, const std::filesystem::path& file) const {
    std::smatch m;
    if (!std::regex_match(name, m, m_pattern)) return name;
    // A hostile name's number may not fit an int: any block past 10^6 is past the model anyway.
    const auto n = m[2].length() > 6 ? std::int64_t{m_layers} : std::stoll(m[2].str());
    if (n >= m_layers) {
        throw FormatError(file, "tensor '" + name + "' names block " + m[2].str() + " but the model has " + std::to_string(m_layers));
    }
    const int to = m_newIndex[static_cast<std::size_t>(n)];
    if (to < 0) return std::nullopt;
    return m[1].str() + std::to_string(to) + "." + m[3].str();
}

}  // namespace avss::model
