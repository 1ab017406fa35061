# Third-party dependencies, all from Debian packages or Debian source packages that
# scripts/setup puts in the cache (default ~/.cache/normlab). Nothing is downloaded here.
# Each dependency becomes one imported/interface target with the same name on both targets.

if(DEFINED ENV{NORMLAB_CACHE})
  set(_nl_cache_default "$ENV{NORMLAB_CACHE}")
elseif(DEFINED ENV{XDG_CACHE_HOME})
  set(_nl_cache_default "$ENV{XDG_CACHE_HOME}/normlab")
else()
  set(_nl_cache_default "$ENV{HOME}/.cache/normlab")
endif()
set(NL_DEPS_DIR "${_nl_cache_default}" CACHE PATH "Where scripts/setup put ImGui, SDL2-for-wasm and header links")

function(_nl_require_path path what)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "NormLab: ${what} not found at ${path}.\n"
                        "Fix: run scripts/setup (it installs and caches every dependency).")
  endif()
endfunction()

# --- header-only libraries: Eigen, nlohmann-json, Catch2 (v2) ----------------------------
if(EMSCRIPTEN)
  # Emscripten does not search /usr/include; setup links just these headers into one dir.
  set(_nl_inc "${NL_DEPS_DIR}/wasm-include")
  _nl_require_path("${_nl_inc}/Eigen" "Eigen headers for Emscripten")
  foreach(_lib IN ITEMS nl_eigen nl_json nl_catch2)
    add_library(${_lib} INTERFACE)
    target_include_directories(${_lib} SYSTEM INTERFACE "${_nl_inc}")
  endforeach()
else()
  find_package(Eigen3 3.4 REQUIRED NO_MODULE)
  find_package(nlohmann_json 3 REQUIRED)
  add_library(nl_eigen INTERFACE)
  target_link_libraries(nl_eigen INTERFACE Eigen3::Eigen)
  add_library(nl_json INTERFACE)
  target_link_libraries(nl_json INTERFACE nlohmann_json::nlohmann_json)
  if(NL_BUILD_TESTS)
    find_package(Catch2 2 REQUIRED)
    add_library(nl_catch2 INTERFACE)
    target_link_libraries(nl_catch2 INTERFACE Catch2::Catch2)
  endif()
endif()

# --- Dear ImGui (Debian source package, compiled for each target) -------------------------
if(NL_BUILD_APP OR NL_BUILD_TESTS)
  set(NL_IMGUI_DIR "${NL_DEPS_DIR}/imgui" CACHE PATH "Dear ImGui sources (apt-get source imgui)")
  _nl_require_path("${NL_IMGUI_DIR}/imgui.cpp" "Dear ImGui sources")
  add_library(imgui STATIC
    ${NL_IMGUI_DIR}/imgui.cpp ${NL_IMGUI_DIR}/imgui_draw.cpp ${NL_IMGUI_DIR}/imgui_tables.cpp
    ${NL_IMGUI_DIR}/imgui_widgets.cpp ${NL_IMGUI_DIR}/imgui_demo.cpp)
  target_include_directories(imgui SYSTEM PUBLIC ${NL_IMGUI_DIR})
  # 32-bit draw indices: a network diagram of 8x128 neurons, each a mini heatmap, draws more
  # than 65,536 vertices in one window, and WebGL2's ImGui backend cannot split draw lists
  # (no base-vertex draws in GLES 3.0). Both backends draw GL_UNSIGNED_INT indices.
  target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS "ImDrawIdx=unsigned int")
  target_compile_options(imgui PRIVATE -w)  # third-party code: its warnings are not ours to fix
  set_target_properties(imgui PROPERTIES POSITION_INDEPENDENT_CODE ON)
endif()

# --- SDL2 + the ImGui SDL2/OpenGL3 backends (platform layer only) -------------------------
if(NL_BUILD_APP)
  if(EMSCRIPTEN)
    set(NL_SDL2_WASM_DIR "${NL_DEPS_DIR}/sdl2-wasm" CACHE PATH "SDL2 built for Emscripten by scripts/setup")
    _nl_require_path("${NL_SDL2_WASM_DIR}/lib/libSDL2.a" "SDL2 built for Emscripten")
    add_library(nl_sdl2 INTERFACE)
    target_include_directories(nl_sdl2 SYSTEM INTERFACE "${NL_SDL2_WASM_DIR}/include" "${NL_SDL2_WASM_DIR}/include/SDL2")
    target_link_libraries(nl_sdl2 INTERFACE "${NL_SDL2_WASM_DIR}/lib/libSDL2.a")
  else()
    find_package(SDL2 REQUIRED)
    find_package(OpenGL REQUIRED)
    add_library(nl_sdl2 INTERFACE)
    target_link_libraries(nl_sdl2 INTERFACE SDL2::SDL2 OpenGL::GL ${CMAKE_DL_LIBS})
  endif()
  add_library(imgui_backends STATIC
    ${NL_IMGUI_DIR}/backends/imgui_impl_sdl.cpp ${NL_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
  target_include_directories(imgui_backends SYSTEM PUBLIC ${NL_IMGUI_DIR}/backends)
  target_link_libraries(imgui_backends PUBLIC imgui nl_sdl2)
  target_compile_options(imgui_backends PRIVATE -w)
  if(EMSCRIPTEN)
    # ImGui's GL backend targets WebGL1 unless told to use GLES3 (WebGL2).
    target_compile_definitions(imgui_backends PUBLIC IMGUI_IMPL_OPENGL_ES3)
  endif()
endif()
