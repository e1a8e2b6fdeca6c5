// A small table-driven argument parser: each subcommand declares its positionals and options,
// gets `--help` for free, and unknown or malformed options become UsageErrors naming the option.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace avss::cli {

struct OptionSpec {
    std::string name;         // without dashes: "max-tokens"
    std::string valueName;    // "N"; empty for a flag
    std::string help;
    std::string defaultValue; // shown in --help; applied when absent (flags: "")
};

class ParsedArgs {
public:
    const std::string& positional(std::size_t i) const { return m_positionals.at(i); }
    std::size_t positionalCount() const { return m_positionals.size(); }
    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    std::string get(const std::string& name) const;            // value or default ("" when none)
    std::optional<std::string> find(const std::string& name) const;
    long long getInt(const std::string& name, long long min, long long max) const;  // UsageError when out of range
    double getDouble(const std::string& name) const;
    std::vector<std::string> getList(const std::string& name) const;  // comma-separated
    std::vector<int> getIntList(const std::string& name) const;       // "3,5,7-9"

private:
    friend class CommandSpec;
    std::vector<std::string> m_positionals;
    std::map<std::string, std::string> m_values;
    std::map<std::string, std::string> m_defaults;
};

struct Context;  // defined in context.h

class CommandSpec {
public:
    std::string name;
    std::string summary;                   // one line for the command list
    std::string description;               // paragraph for --help
    std::vector<std::string> positionals;  // "MODEL", "TEXT"; a trailing "..." allows more
    std::size_t requiredPositionals = 0;
    std::vector<OptionSpec> options;
    std::function<int(const ParsedArgs&, Context&)> run;

    // Throws UsageError; returns nullopt when --help was printed.
    std::optional<ParsedArgs> parse(const std::vector<std::string>& args) const;
    std::string help() const;
};

}  // namespace avss::cli
