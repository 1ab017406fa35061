// OpenGL headers for both targets: GL 3.3 core natively, WebGL2 (GLES 3.0) on the web.
#pragma once

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <SDL_opengl.h>
#include <SDL_opengl_glext.h>
#endif
