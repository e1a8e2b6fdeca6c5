# Sources of core/src/tokenizer (appended to the lists in core/CMakeLists.txt).
