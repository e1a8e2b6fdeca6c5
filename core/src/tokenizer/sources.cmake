# Sources of core/src/tokenizer (appended to the lists in core/CMakeLists.txt).
list(APPEND AVSS_BASE_SOURCES
  src/tokenizer/utf8.cpp
  src/tokenizer/byte_level.cpp
  src/tokenizer/regex.cpp
  src/tokenizer/pretokenizer.cpp
  src/tokenizer/bpe.cpp
  src/tokenizer/spm.cpp
  src/tokenizer/special_tokens.cpp
  src/tokenizer/stream_cut.cpp
  src/tokenizer/spec_check.cpp
  src/tokenizer/tokenizer.cpp
  src/tokenizer/gguf_tokenizer.cpp
  src/tokenizer/hf_tokenizer.cpp
  src/tokenizer/hf_tokenizer_writer.cpp
)
