// check.h — doctest helpers for Result/Status values.
#pragma once

#include <doctest/doctest.h>

#define REQUIRE_OK(expr)                 \
  do {                                   \
    auto uvs_st_ = (expr);               \
    if (!uvs_st_.ok()) {                 \
      FAIL(uvs_st_.error().to_string()); \
    }                                    \
  } while (0)
