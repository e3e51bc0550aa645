#include "ipvsadm/json_writer.h"

#include <doctest/doctest.h>

using namespace uvs::ipvsadm;

TEST_CASE("JsonWriter: nested objects and arrays get commas in the right places") {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.value(std::uint64_t{1});
  w.key("b");
  w.begin_array();
  w.value("x");
  w.value(true);
  w.null();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.value(std::int64_t{-5});
  w.end_array();
  w.key("c");
  w.begin_object();
  w.key("d");
  w.value(false);
  w.end_object();
  w.end_object();
  CHECK(w.str() == R"({"a":1,"b":["x",true,null,{},[],-5],"c":{"d":false}})");
}

TEST_CASE("JsonWriter: string escaping") {
  CHECK(JsonWriter::quote("plain") == "\"plain\"");
  CHECK(JsonWriter::quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(JsonWriter::quote("\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
  CHECK(JsonWriter::quote(std::string_view("\x01\x1f\0", 3)) == "\"\\u0001\\u001f\\u0000\"");
  CHECK(JsonWriter::quote("/ and \x7f stay") == "\"/ and \x7f stay\"");
  // Valid UTF-8 passes through: 2, 3 and 4 byte sequences.
  CHECK(JsonWriter::quote("é 可 😀") == "\"é 可 😀\"");
  // Invalid bytes become U+FFFD: a lone continuation byte, a truncated sequence, an overlong
  // encoding, a UTF-16 surrogate and a code point above U+10FFFF.
  CHECK(JsonWriter::quote("\x80") == "\"\\ufffd\"");
  CHECK(JsonWriter::quote("a\xe5\x8f") == "\"a\\ufffd\\ufffd\"");
  CHECK(JsonWriter::quote("\xc0\xaf") == "\"\\ufffd\\ufffd\"");
  CHECK(JsonWriter::quote("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");
  CHECK(JsonWriter::quote("\xf4\x90\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

TEST_CASE("JsonWriter: keys are escaped too and take() empties the writer") {
  JsonWriter w;
  w.begin_object();
  w.key("k\"1");
  w.value("v\n");
  w.end_object();
  CHECK(w.take() == "{\"k\\\"1\":\"v\\n\"}");
}
