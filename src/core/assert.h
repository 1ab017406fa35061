// NL_ASSERT: the one assert for programmer errors (shape mismatch, backward before
// forward). On in debug and web-debug builds; compiled out when NDEBUG is set.
// User-input errors never use it: they return Result<T> (see result.h).
#pragma once

#include <cstdio>
#include <cstdlib>

#ifndef NDEBUG
#define NL_ASSERT(cond, msg)                                                           \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: NL_ASSERT(%s) failed: %s\n", __FILE__, __LINE__, #cond, \
                   msg);                                                               \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
#else
#define NL_ASSERT(cond, msg) \
  do {                       \
    (void)sizeof(cond);      \
  } while (0)
#endif
