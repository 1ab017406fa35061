// Loads GLSL from shaders/ (written without #version) and prepends the right header
// for the target: "#version 330 core" natively, "#version 300 es" + precision on the web.
#pragma once

#include <string>

#include "core/result.h"
#include "platform/gl.h"

namespace nl::platform {

// The #version line (and precision) for this build's GL flavour.
const char* glsl_header();

// Reads `dir`/`vert_file` and `dir`/`frag_file`, compiles and links them.
// Errors name the file and carry the driver's log.
Result<GLuint> load_program(const std::string& dir, const char* vert_file, const char* frag_file);

}  // namespace nl::platform
