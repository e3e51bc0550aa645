// keepalived_parser.h — keepalived.conf as a tree of statements, for the importer.
//
// keepalived's syntax (keepalived.conf(5)): one keyword per line followed by its arguments,
// `{ ... }` opening a block of statements (braces are tokens of their own, attached or not),
// comments from `#` or `!` to the end of the line anywhere outside quotes, "..." or '...'
// quoted strings (quotes removed, spaces kept, backslash escapes), and `include FILE` anywhere,
// FILE relative to the directory of the file that includes it, glob patterns allowed.
// A block may open on the line of its keyword or as the first word of the next line. As in
// keepalived, a line is split at its braces only, so the words between two braces on one line
// are ONE statement (`url { path /x status_code 200 }` is `path` with three words: the importer
// reads it as keepalived does). Conditional lines (`@id ...`) and parameter definitions
// (`$NAME=...`) are not understood: they are skipped with a warning, as is any unbalanced brace.
// Bytes that are not UTF-8 (or NUL) are replaced by U+FFFD with a warning, so that whatever is
// carried over can be written as TOML.
//
// Input: the text and name of the main file, and a function that reads the files an include
// names (so this stays a pure function and tests need no files). Output: the statements, each
// with its file and line, and the warnings met while reading.
// Owned by: any thread (pure functions on values).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace uvs::health {

// One place in the keepalived files, for warnings: "keepalived.conf:12".
struct KaPos {
  std::string file;
  std::uint32_t line = 0;
  std::string to_string() const { return file + ":" + std::to_string(line); }
};

struct KaWarning {
  KaPos pos;
  std::string message;
  std::string to_string() const { return pos.to_string() + ": " + message; }
};

struct KaWord {
  std::string text;
  bool quoted = false;
};

// `keyword arg arg ... [{ children }]`
struct KaNode {
  std::string keyword;
  std::vector<KaWord> args;
  std::vector<KaNode> children;
  bool block = false;
  KaPos pos;
};

// A file an include pattern matched: its path (as it should appear in warnings) and text.
struct KaFile {
  std::string path;
  std::string text;
};
// Reads the files matching `path` (already made relative to the including file's directory);
// returns none if nothing matches or nothing can be read.
using KaIncludeReader = std::function<std::vector<KaFile>(const std::string& path)>;

struct KaTree {
  std::vector<KaNode> top;
  std::vector<KaWarning> warnings;
};

KaTree parse_keepalived(std::string_view text,
                        const std::string& name,
                        const KaIncludeReader& read_include);

// The include reader uvsd uses: glob(3) on the file system, files read whole.
std::vector<KaFile> read_include_files(const std::string& pattern);

}  // namespace uvs::health
