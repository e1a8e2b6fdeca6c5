# Sources of core/src/cache (appended to the lists in core/CMakeLists.txt). Only h5_file.cpp
# includes HDF5 headers.
list(APPEND AVSS_BASE_SOURCES
  src/cache/cache_seal.cpp
  src/cache/h5_file.cpp
  src/cache/cache_schema.cpp
  src/cache/stats_cache.cpp
)
