# Sanitizer and fuzzing instrumentation for the native-asan preset (clang-14 only).
# NL_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on every target (any report
# aborts the test). NL_BUILD_FUZZERS: libFuzzer coverage on every target; the fuzz
# executables in tests/fuzz link the libFuzzer driver. Not here: the fuzz targets themselves.
option(NL_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(NL_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (clang, with NL_SANITIZE)" OFF)

if(NL_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NormLab: NL_SANITIZE needs clang (the native-asan preset uses clang++-14).")
  endif()
  # -O1 keeps the sanitized tests fast enough; frame pointers give readable stacks.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -O1 -gline-tables-only)  # line numbers in reports, cheaper than -g
  add_link_options(-fsanitize=address,undefined)
endif()

if(NL_BUILD_FUZZERS)
  if(NOT NL_SANITIZE)
    message(FATAL_ERROR "NormLab: NL_BUILD_FUZZERS needs NL_SANITIZE=ON (a crash must be reported).")
  endif()
  # Coverage instrumentation for everything; only the fuzz executables get libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
