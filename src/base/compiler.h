// compiler.h — branch hints, cold-path markers and the debug-only invariant check.
//
// UVS_DCHECK is for invariants only (never for input validation): it aborts in debug builds and
// compiles to nothing in release builds. Bad input is always a DropReason or an Error instead.
#pragma once

#include <cstdio>
#include <cstdlib>

#define UVS_LIKELY(x) __builtin_expect(!!(x), 1)
#define UVS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define UVS_COLD [[gnu::cold]]
// A prefetch the optimiser keeps. g++ 12 -O2 deletes a __builtin_prefetch whose address comes
// from a load under a condition (the connection table's entry prefetch vanished entirely, and
// with it the overlap of the second cache miss of every lookup); the empty asm makes the address
// an input of an opaque statement, so the prefetch stays.
#define UVS_PREFETCH(p)                \
  do {                                 \
    const void* uvs_pf_ = (p);         \
    asm volatile("" : : "r"(uvs_pf_)); \
    __builtin_prefetch(uvs_pf_);       \
  } while (0)

#ifndef NDEBUG
#define UVS_DCHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
#else
#define UVS_DCHECK(cond) \
  do {                   \
  } while (0)
#endif
