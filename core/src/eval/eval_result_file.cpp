// `avss eval --out`: the result document, written atomically.
#include "avss/eval_result.h"
#include "util/atomic_file.h"

namespace avss {

void writeEvalResult(const std::filesystem::path& file, const EvalResult& result) {
    util::writeFileAtomically(file, toJson(result) + "\n");
}

}  // namespace avss
