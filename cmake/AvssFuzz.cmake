# Fuzz build settings (AVSS_FUZZ=ON, see scripts/fuzz.sh): libFuzzer coverage, ASan and UBSan on
# every first-party object, so a finding deep in avss_base is reported where it happens.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "AVSS_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
endif()
set(AVSS_FUZZ_SANITIZERS "address,undefined")
# fuzzer-no-link: instrument the libraries; only the fuzz executables link libFuzzer's main.
add_compile_options(-fsanitize=fuzzer-no-link,${AVSS_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                    -fno-omit-frame-pointer -g -Wno-unknown-warning-option)
add_link_options(-fsanitize=${AVSS_FUZZ_SANITIZERS})
