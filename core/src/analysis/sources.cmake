# Sources of core/src/analysis (appended to the lists in core/CMakeLists.txt).
