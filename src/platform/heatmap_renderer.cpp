// Heatmap rendering into an offscreen texture.
#include "platform/heatmap_renderer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "platform/shader_loader.h"
#include "ui/theme.h"

namespace nl::platform {

Status HeatmapRenderer::create(const std::string& shader_dir, int size) {
  destroy();
  Result<GLuint> program = load_program(shader_dir, "heatmap.vert", "heatmap.frag");
  if (!program.ok()) return program.error();
  program_ = *program;
  size_ = size;
  glGenVertexArrays(1, &vao_);
  glGenTextures(1, &output_texture_);
  glBindTexture(GL_TEXTURE_2D, output_texture_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, size_, size_, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glGenFramebuffers(1, &fbo_);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, output_texture_, 0);
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    destroy();
    return make_error("the heatmap framebuffer is incomplete (GL status " + std::to_string(status) + ")",
                      "the GPU driver lacks RGBA8 render targets");
  }
  glGenTextures(1, &input_texture_);
  glBindTexture(GL_TEXTURE_2D, input_texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D, 0);
  input_resolution_ = 0;
  rendered_ = false;
  return Ok{};
}

void HeatmapRenderer::destroy() {
  if (program_) glDeleteProgram(program_);
  if (vao_) glDeleteVertexArrays(1, &vao_);
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  if (input_texture_) glDeleteTextures(1, &input_texture_);
  if (output_texture_) glDeleteTextures(1, &output_texture_);
  program_ = vao_ = fbo_ = input_texture_ = output_texture_ = 0;
  rendered_ = false;
}

void HeatmapRenderer::update(const app::DecisionGrid& grid, bool force) {
  if (!program_ || grid.class1_probability.empty()) return;
  if (rendered_ && !force && rendered_version_ == grid.model_version) return;

  // Upload P(class 1) as 8-bit: 1/255 steps are far below what colour can show.
  const int n = grid.resolution;
  std::vector<unsigned char> bytes(grid.class1_probability.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const float p = grid.class1_probability[i];
    bytes[i] = static_cast<unsigned char>(std::lround(std::clamp(std::isfinite(p) ? p : 0.5f, 0.0f, 1.0f) * 255.0f));
  }
  glBindTexture(GL_TEXTURE_2D, input_texture_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (n != input_resolution_) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, n, n, 0, GL_RED, GL_UNSIGNED_BYTE, bytes.data());
    input_resolution_ = n;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, n, n, GL_RED, GL_UNSIGNED_BYTE, bytes.data());
  }

  // The caller sets the viewport before it draws (Runtime::frame): no glGet here, which in a
  // browser waits for the GPU process to finish everything queued (a whole shader compile at
  // start-up).
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, size_, size_);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glUseProgram(program_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, input_texture_);
  glUniform1i(glGetUniformLocation(program_, "u_probability"), 0);
  const ui::Palette& pal = ui::palette();
  glUniform3f(glGetUniformLocation(program_, "u_class0"), pal.class0.x, pal.class0.y, pal.class0.z);
  glUniform3f(glGetUniformLocation(program_, "u_class1"), pal.class1.x, pal.class1.y, pal.class1.z);
  glUniform3f(glGetUniformLocation(program_, "u_neutral"), pal.neutral.x, pal.neutral.y, pal.neutral.z);
  glUniform1f(glGetUniformLocation(program_, "u_bands"), static_cast<float>(bands_));
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray(0);
  glUseProgram(0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  rendered_version_ = grid.model_version;
  rendered_ = true;
}

}  // namespace nl::platform
