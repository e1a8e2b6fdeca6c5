# Sources of core/src/cache (appended to the lists in core/CMakeLists.txt).
