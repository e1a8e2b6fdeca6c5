// Task "perplexity": no items, only the corpus to check (the Evaluator opens it with openCorpus).
#include "eval/readers.h"

#include "util/corpus_reader.h"

namespace avss::eval {

TaskData readPerplexity(const TaskSpec& spec) {
    TaskData data = newTaskData(spec, "perplexity", TaskKind::Perplexity, "Perplexity");
    if (spec.data == "builtin") {
        data.format = "builtin";
    } else {
        const corpus::FileReader reader(spec.data, "text");  // IoError when missing or unreadable
        data.format = reader.format();
    }
    data.notes.push_back("token-level perplexity over non-overlapping windows: compare only runs with the same text, "
                         "window, tokenizer and BOS rule");
    return data;
}

}  // namespace avss::eval
