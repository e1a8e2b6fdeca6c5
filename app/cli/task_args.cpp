// Task-reading options.
#include "task_args.h"

#include <iostream>

#include "avss/error.h"

namespace avss::cli {

std::vector<OptionSpec> taskReadOptions() {
    return {{"limit", "N", "score only the first N usable items (0 = all)", "0"},
            {"strict", "", "a malformed row is an error instead of being skipped", ""},
            {"no-support", "", "sciq (allenai JSON): leave the support passage out (closed-book)", ""},
            {"question-field", "F", "qa: the JSONL field holding the question", "question"},
            {"answer-field", "F", "qa: the field holding the answer (string or list)", "answer"},
            {"alias-field", "F", "qa: an optional field with more accepted answers", ""}};
}

TaskSpec taskSpecFromArgs(const ParsedArgs& args, std::string name, std::string data) {
    TaskSpec spec;
    spec.name = std::move(name);
    spec.data = std::move(data);
    spec.limit = args.getInt("limit", 0, 1LL << 40);
    spec.strict = args.has("strict");
    spec.sciqSupport = !args.has("no-support");
    spec.questionField = args.get("question-field");
    spec.answerField = args.get("answer-field");
    spec.aliasField = args.get("alias-field");
    return spec;
}

std::vector<OptionSpec> evalRunOptions() {
    return {{"max-new-tokens", "N", "generation tasks: token limit per answer", "64"},
            {"window", "N", "perplexity: tokens per window (at most the model's context)", "2048"},
            {"max-tokens", "N", "perplexity: use only the first N tokens (0 = all)", "0"},
            {"bootstrap", "N", "bootstrap resamples for the intervals (0 = none)", "1000"}};
}

EvalOptions evalOptionsFromArgs(const ParsedArgs& args) {
    EvalOptions o;
    o.maxNewTokens = static_cast<int>(args.getInt("max-new-tokens", 1, 1 << 16));
    o.window = static_cast<int>(args.getInt("window", 2, 1 << 20));
    o.maxTokens = args.getInt("max-tokens", 0, 1LL << 40);
    o.bootstrapIterations = static_cast<int>(args.getInt("bootstrap", 0, 1000000));
    return o;
}

void reportLoaded(const TaskData& task) {
    for (const auto& s : task.skipped) std::cerr << "skipped " << s.where << ": " << s.reason << "\n";
    if (task.excluded > 0) std::cerr << task.task << ": " << task.excluded << " items left out (their question is a training question)\n";
}

std::vector<TaskData> loadTaskList(const ParsedArgs& args, const std::string& option, bool required,
                                   const std::function<TaskSpec(TaskSpec)>& adjust) {
    const auto list = args.getList(option);
    if (list.empty() && required) throw UsageError({}, "--" + option + " NAME=FILE[,NAME=FILE...] is required (" + describeTasks() + ")");
    std::vector<TaskData> tasks;
    for (const auto& item : list) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
            throw UsageError({}, "--" + option + " expects NAME=FILE, got '" + item + "'");
        }
        auto spec = taskSpecFromArgs(args, item.substr(0, eq), item.substr(eq + 1));
        tasks.push_back(loadTask(adjust ? adjust(std::move(spec)) : std::move(spec)));
        reportLoaded(tasks.back());
    }
    return tasks;
}

}  // namespace avss::cli
