# CPU kernels the libraries lack: int8-block and unpacked fp32 weight products, fused causal attention, SiLU gating,
# chosen tokens' log-probabilities and the thread set that splits them.
list(APPEND AVSS_BASE_SOURCES
  src/kernels/causal_attention.cpp
  src/kernels/f32_rows.cpp
  src/kernels/page_buffer.cpp
  src/kernels/q8_matrix.cpp
  src/kernels/row_threads.cpp
  src/kernels/silu_gate.cpp
  src/kernels/token_log_probs.cpp
)
# Row products, dequantisation, attention and the log-softmax rows are the hot loops: full optimisation even in -O1 builds.
set_source_files_properties(src/kernels/q8_matrix.cpp src/kernels/causal_attention.cpp src/kernels/f32_rows.cpp src/kernels/silu_gate.cpp src/kernels/token_log_probs.cpp PROPERTIES COMPILE_OPTIONS "-O3")
