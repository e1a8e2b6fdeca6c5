# Shared compile settings for every first-party target: warnings and optional sanitizers.
option(AVSS_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)

function(avss_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter -Wno-maybe-uninitialized)
  if(AVSS_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
