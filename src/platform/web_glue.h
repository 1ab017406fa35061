// Browser-only glue, isolated here (web_glue.cpp): following the page's size, WebGL
// context loss callbacks, and the JS test/state hooks. Native builds get no-ops.
#pragma once

#include <SDL.h>

namespace nl::platform {

class Runtime;

#ifdef __EMSCRIPTEN__
void web_install(Runtime& runtime);          // context-loss callbacks + JS hooks
void web_follow_container(SDL_Window* window);  // resize the window to its page element
#else
inline void web_install(Runtime&) {}
inline void web_follow_container(SDL_Window*) {}
#endif

}  // namespace nl::platform
