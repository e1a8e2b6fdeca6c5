// Error message assembly: "<file>: <what>. <hint>".
#include "avss/error.h"

namespace avss {
namespace {

std::string compose(const std::filesystem::path& file, const std::string& what, const std::string& hint) {
    std::string msg;
    if (!file.empty()) msg = file.string() + ": ";
    msg += what;
    if (!hint.empty()) {
        if (!msg.empty() && msg.back() != '.') msg += '.';
        msg += ' ';
        msg += hint;
    }
    return msg;
}

std::string detailOf(const std::string& what, const std::string& hint) {
    return hint.empty() ? what : what + ". " + hint;
}

}  // namespace

Error::Error(std::filesystem::path file, const std::string& what, const std::string& hint, std::vector<Setting> settings)
    : std::runtime_error(compose(file, what, hint)),
      m_file(std::move(file)),
      m_detail(detailOf(what, hint)),
      m_settings(std::move(settings)) {}

}  // namespace avss
