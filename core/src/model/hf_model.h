// The non-weight parts of a model loaded from a Hugging Face folder: its tokenizer (padded to the
// model's vocabulary) and its ModelInfo (format, tensors, config keys, fingerprint).
#pragma once

#include "avss/model.h"
#include "avss/tokenizer.h"
#include "io/hf_checkpoint.h"
#include "model/hf_hparams.h"

namespace avss::model {

// tokenizer.json (+ tokenizer_config.json, chat_template.jinja) with ids up to vocab − 1: rows of
// the embedding beyond the tokenizer get unused placeholder tokens, as llama.cpp's converter adds.
// IoError when tokenizer.json is missing; FormatError when it holds more tokens than vocab.
// vocab 0: config.json's vocab_size where it has a valid one (the tokenizer without the model).
Tokenizer hfTokenizer(const io::HfCheckpoint& c, int vocab);

void fillHfInfo(ModelInfo& info, const io::HfCheckpoint& c, const HfModelConfig& config);

}  // namespace avss::model
