# Shared compile settings for every first-party target: warnings and optional sanitizers.
option(AVSS_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
# Build type for scripts/test-sanitize.sh: optimised enough to run the suites quickly, asserts kept.
set(CMAKE_C_FLAGS_SANITIZE "-O1 -g1" CACHE STRING "C flags of the Sanitize build type")
set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -g1" CACHE STRING "C++ flags of the Sanitize build type")

function(avss_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter -Wno-maybe-uninitialized)
  if(AVSS_SANITIZE)
    # No recovery: a UBSan finding aborts the test that triggered it instead of scrolling past.
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
