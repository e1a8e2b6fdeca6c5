// Error message assembly: "<file>: <what>. <hint>".
#include "avss/error.h"

#include <new>

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

std::optional<std::string> describeOutOfMemory(const std::exception& e) {
    const std::string what = e.what();
    const bool bad = dynamic_cast<const std::bad_alloc*>(&e) != nullptr || what.find("can't allocate memory") != std::string::npos;
    if (!bad) return std::nullopt;
    std::string size;
    if (const auto end = what.find(" bytes"); end != std::string::npos) {
        if (const auto at = what.rfind("allocate ", end); at != std::string::npos) size = " (" + what.substr(at + 9, end - at - 9) + " bytes requested)";
    }
    return "not enough memory" + size +
           ". Load the weights as q8 (--weights q8, ~3.6x smaller), or use a smaller batch or sequence length.";
}

}  // namespace avss
