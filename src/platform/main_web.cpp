// Browser entry point: starts the runtime and hands Runtime::frame to the browser's
// animation loop. A start-up failure is shown on the page (web/main.js), not thrown.
#include <SDL.h>
#include <emscripten.h>

#include "platform/runtime.h"

namespace {

nl::platform::Runtime g_runtime;  // lives for the page's lifetime

void frame(void*) { g_runtime.frame(); }

}  // namespace

int main() {
  // Keys go to the app only while its canvas has the focus, so the page's own buttons (the
  // accessible mirror, Import) and Tab keep working (SDL listens on the whole window otherwise).
  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
  nl::Status started = g_runtime.init({});
  if (!started.ok()) {
    const std::string text = started.error().message + (started.error().hint.empty() ? "" : " — " + started.error().hint);
    EM_ASM({ if (Module.onFatalError) Module.onFatalError(UTF8ToString($0)); }, text.c_str());
    return 1;
  }
  emscripten_set_main_loop_arg(frame, nullptr, 0, false);
  return 0;
}
