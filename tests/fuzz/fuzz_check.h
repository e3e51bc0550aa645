// fuzz_check.h — assertions for fuzz targets (TEST ONLY).
//
// A fuzz target reports a bug by crashing: FUZZ_CHECK prints the failed condition and where,
// then aborts, which both libFuzzer and driver.cc (tests/fuzz/driver.cc) treat as a finding and
// for which they save the input. Unlike assert(), it stays on in every build type.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
