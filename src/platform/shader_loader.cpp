// Shader file loading, compilation and linking with readable errors.
#include "platform/shader_loader.h"

#include <fstream>
#include <sstream>

namespace nl::platform {

const char* glsl_header() {
#ifdef __EMSCRIPTEN__
  return "#version 300 es\nprecision highp float;\n";
#else
  return "#version 330 core\n";
#endif
}

namespace {

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read shader " + path, "the shaders/ folder must sit next to the app");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<GLuint> compile(GLenum type, const std::string& path) {
  Result<std::string> body = read_text(path);
  if (!body.ok()) return body.error();
  const std::string source = std::string(glsl_header()) + "#line 1\n" + body.value();
  const GLuint shader = glCreateShader(type);
  const char* text = source.c_str();
  glShaderSource(shader, 1, &text, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    glDeleteShader(shader);
    return make_error("shader " + path + " does not compile: " + log);
  }
  return shader;
}

}  // namespace

Result<GLuint> load_program(const std::string& dir, const char* vert_file, const char* frag_file) {
  Result<GLuint> vert = compile(GL_VERTEX_SHADER, dir + "/" + vert_file);
  if (!vert.ok()) return vert.error();
  Result<GLuint> frag = compile(GL_FRAGMENT_SHADER, dir + "/" + frag_file);
  if (!frag.ok()) {
    glDeleteShader(*vert);
    return frag.error();
  }
  const GLuint program = glCreateProgram();
  glAttachShader(program, *vert);
  glAttachShader(program, *frag);
  glLinkProgram(program);
  glDeleteShader(*vert);
  glDeleteShader(*frag);
  GLint ok = 0;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetProgramInfoLog(program, sizeof log, nullptr, log);
    glDeleteProgram(program);
    return make_error(std::string("shaders ") + vert_file + " + " + frag_file + " do not link: " + log);
  }
  return program;
}

}  // namespace nl::platform
