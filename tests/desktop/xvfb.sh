# Sourced by the desktop tests. start_xvfb FIRST LAST starts a private Xvfb (1280x800, 24-bit)
# on the first free display number from FIRST to LAST (each test has a range of its own, so
# tests can run side by side), waits for its socket and sets `display` and `xvfb` (the
# server's pid); it returns 1 with a message on stderr when no number is free or the server
# does not come up. stop_xvfb ends the server (callers run it from their EXIT trap).
start_xvfb() {
  local first="$1" last="$2" n
  display=""
  for n in $(seq "$first" "$last"); do
    if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
  done
  if [ -z "$display" ]; then
    echo "no free X display between :$first and :$last" >&2
    return 1
  fi
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  for _ in $(seq 100); do
    [ -e "/tmp/.X11-unix/X${display#:}" ] && return 0
    sleep 0.1
  done
  echo "Xvfb did not start on $display" >&2
  return 1
}

stop_xvfb() {
  if [ -n "${xvfb:-}" ]; then
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
  fi
}
