# Warnings for our own targets only (third-party targets stay quiet).
function(nl_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
endfunction()
