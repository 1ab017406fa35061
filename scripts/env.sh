# Shared environment for NormLab's scripts (sourced, not run).
# Handles the Emscripten 3.1.6 traps of Debian once, here, for every script.
NL_CACHE="${NORMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/normlab}"
export NL_CACHE
# emscripten's JS tools need Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
