// The reload self-check of every model export: the written file's logits against the model it
// should equal, on the first tokens of the built-in sample text.
#pragma once

#include <filesystem>
#include <utility>
#include <vector>

#include "avss/model.h"
#include "avss/prune_export.h"

namespace avss::model {

// {max |logit difference|, max |reference logit|}; `skip` (may be null) is the reference's skip mask.
std::pair<double, double> compareWithExport(const Model& reference, const std::vector<bool>* skip, const std::filesystem::path& exported,
                                            int checkTokens);

// Runs the check; on a failure or an exception the exported file (or folder) is deleted and FormatError thrown.
void checkExportOrDelete(const Model& reference, const std::vector<bool>* skip, const std::filesystem::path& exported, int checkTokens,
                         const char* what, ExportResult& result);

}  // namespace avss::model
