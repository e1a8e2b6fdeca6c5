# BLAS kernel choice (torch-free: OpenBLAS is found by symbol in the running process).
list(APPEND AVSS_BASE_SOURCES
  src/blas/cpu_features.cpp
  src/blas/kernel_choice.cpp
  src/blas/openblas_runtime.cpp
  src/blas/verdict_cache.cpp
  src/blas/self_check.cpp
  src/blas/blas_kernels.cpp
)
