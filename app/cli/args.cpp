// Argument parsing and --help rendering for the avss subcommands.
#include "args.h"

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "avss/error.h"

namespace avss::cli {

std::optional<std::string> ParsedArgs::find(const std::string& name) const {
    if (auto it = m_values.find(name); it != m_values.end()) return it->second;
    if (auto it = m_defaults.find(name); it != m_defaults.end() && !it->second.empty()) return it->second;
    return std::nullopt;
}

std::string ParsedArgs::get(const std::string& name) const { return find(name).value_or(""); }

long long ParsedArgs::getInt(const std::string& name, long long min, long long max) const {
    const auto s = get(name);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0) throw UsageError({}, "--" + name + " expects an integer, got '" + s + "'");
    if (v < min || v > max) {
        throw UsageError({}, "--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                 ", got " + s);
    }
    return v;
}

double ParsedArgs::getDouble(const std::string& name) const {
    const auto s = get(name);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') throw UsageError({}, "--" + name + " expects a number, got '" + s + "'");
    return v;
}

std::vector<std::string> ParsedArgs::getList(const std::string& name) const {
    std::vector<std::string> out;
    std::stringstream ss(get(name));
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

std::vector<int> ParsedArgs::getIntList(const std::string& name) const {
    std::vector<int> out;
    for (const auto& item : getList(name)) {
        const auto dash = item.find('-', 1);
        char* end = nullptr;
        const long a = std::strtol(item.c_str(), &end, 10);
        long b = a;
        bool ok = end != item.c_str();
        if (dash != std::string::npos) {
            ok = ok && end == item.c_str() + dash;
            b = std::strtol(item.c_str() + dash + 1, &end, 10);
        }
        ok = ok && *end == '\0' && a >= 0 && b >= a && b - a < 100000;
        if (!ok) throw UsageError({}, "--" + name + " expects numbers or ranges like 3,5,7-9, got '" + item + "'");
        for (long v = a; v <= b; ++v) out.push_back(static_cast<int>(v));
    }
    return out;
}

std::optional<ParsedArgs> CommandSpec::parse(const std::vector<std::string>& args) const {
    ParsedArgs parsed;
    for (const auto& o : options) parsed.m_defaults[o.name] = o.defaultValue;
    const bool variadic = !positionals.empty() && positionals.back().find("...") != std::string::npos;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << help();
            return std::nullopt;
        }
        if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
            std::string option = a.substr(2), value;
            const auto eq = option.find('=');
            const bool inlineValue = eq != std::string::npos;
            if (inlineValue) {
                value = option.substr(eq + 1);
                option.resize(eq);
            }
            const OptionSpec* spec = nullptr;
            for (const auto& o : options) {
                if (o.name == option) spec = &o;
            }
            if (spec == nullptr) {
                std::string known;
                for (const auto& o : options) known += (known.empty() ? "--" : ", --") + o.name;
                throw UsageError({}, "unknown option --" + option + " for 'avss " + this->name + "'",
                                 known.empty() ? "This command takes no options." : "Known options: " + known + ".");
            }
            if (spec->valueName.empty()) {
                if (inlineValue) throw UsageError({}, "option --" + option + " is a flag and takes no value");
                value = "1";
            } else if (!inlineValue) {
                if (i + 1 >= args.size()) throw UsageError({}, "option --" + option + " needs a value (" + spec->valueName + ")");
                value = args[++i];
            }
            parsed.m_values[option] = value;
            continue;
        }
        parsed.m_positionals.push_back(a);
    }
    if (parsed.m_positionals.size() < requiredPositionals) {
        throw UsageError({}, "'avss " + name + "' needs " + positionals.at(parsed.m_positionals.size()),
                         "See 'avss " + name + " --help'.");
    }
    if (!variadic && parsed.m_positionals.size() > positionals.size()) {
        throw UsageError({}, "unexpected argument '" + parsed.m_positionals[positionals.size()] + "' for 'avss " + name + "'");
    }
    return parsed;
}

std::string CommandSpec::help() const {
    std::ostringstream os;
    os << "Usage: avss " << name;
    for (std::size_t i = 0; i < positionals.size(); ++i) os << (i < requiredPositionals ? " " : " [") << positionals[i] << (i < requiredPositionals ? "" : "]");
    if (!options.empty()) os << " [options]";
    os << "\n\n" << summary << "\n";
    if (!description.empty()) os << "\n" << description << "\n";
    if (!options.empty()) {
        os << "\nOptions:\n";
        for (const auto& o : options) {
            std::string left = "  --" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
            if (left.size() < 28) left.resize(28, ' ');
            else left += "\n" + std::string(28, ' ');
            os << left << o.help;
            if (!o.defaultValue.empty() && !o.valueName.empty()) os << " (default: " << o.defaultValue << ")";
            os << "\n";
        }
    }
    os << "  --help                    show this help\n";
    return os.str();
}

}  // namespace avss::cli
