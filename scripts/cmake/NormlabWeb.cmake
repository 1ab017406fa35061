# Emscripten flags for every web target, in one place.
# Release app: WASM SIMD, WebGL2 only, growing memory, no eval (strict-CSP safe).
# Tests: the same code under node, with exceptions on (Catch2 needs them).

# NL_WASM_SIMD=OFF builds the same sources without WASM SIMD (the benchmark's wasm-scalar
# variant; the kernels then use their scalar reference).
option(NL_WASM_SIMD "Compile with WASM SIMD (-msimd128)" ON)
if(NL_WASM_SIMD)
  add_compile_options(-msimd128)
endif()

# Node 20 + emscripten 3.1.6: the generated loader tries fetch() for the .wasm under node
# and fails; --no-experimental-fetch makes it read the file instead.
find_program(NL_NODE node REQUIRED)
set(NL_NODE_EMULATOR "${NL_NODE};--no-experimental-fetch" CACHE STRING "How CTest runs wasm test binaries")
set(CMAKE_CROSSCOMPILING_EMULATOR "${NL_NODE_EMULATOR}")

set(CMAKE_EXECUTABLE_SUFFIX ".js")

# Flags for the browser app (the executable in src/platform).
set(NL_WEB_APP_LINK_FLAGS
  -sMAX_WEBGL_VERSION=2 -sMIN_WEBGL_VERSION=2
  -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=33554432
  -sMAXIMUM_MEMORY=536870912  # 512 MB; app/limits.h keeps every accepted setup well below it
  -sDYNAMIC_EXECUTION=0
  -sENVIRONMENT=web
  -sMODULARIZE=1 -sEXPORT_NAME=createNormLab
  -sEXPORTED_RUNTIME_METHODS=ccall,cwrap,UTF8ToString,stringToUTF8,lengthBytesUTF8
  -sTOTAL_STACK=1048576
)

# Flags for node-run tests and tools (Catch2 suites, the benchmark).
function(nl_web_node_target target)
  target_compile_options(${target} PRIVATE -fexceptions)
  target_link_options(${target} PRIVATE -fexceptions -sENVIRONMENT=node -sNODERAWFS=1
                      -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -sTOTAL_STACK=1048576)
endfunction()
