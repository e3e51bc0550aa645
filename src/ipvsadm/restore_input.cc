// A character-level replay of config_stream_read()'s fscanf("%[^ \t\n\r]%1[ \t\n\r]") loop:
// one token plus at most one following blank per step, blank runs skipped with fgetc() until a
// newline ends the line or end of input ends everything.
#include "ipvsadm/restore_input.h"

namespace uvs::ipvsadm {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::vector<std::vector<std::string>> split_restore_input(std::string_view text) {
  std::vector<std::vector<std::string>> lines;
  std::size_t pos = 0;
  const std::size_t n = text.size();
  for (;;) {
    std::vector<std::string> tokens;
    bool line_done = false;
    while (!line_done) {
      if (pos >= n) {
        // End of input right after a token (or at a line start): keep the line if it has
        // tokens, then stop.
        if (!tokens.empty()) {
          lines.push_back(std::move(tokens));
        }
        return lines;
      }
      if (is_blank(text[pos])) {
        for (;;) {
          if (pos >= n) {
            return lines;  // ipvsadm discards the pending line here
          }
          const char c = text[pos++];
          if (c == '\n') {
            line_done = true;
            break;
          }
          if (c != ' ' && c != '\t' && c != '\r') {
            --pos;
            break;
          }
        }
        continue;
      }
      const std::size_t start = pos;
      while (pos < n && !is_blank(text[pos])) {
        ++pos;
      }
      const std::string_view token = text.substr(start, pos - start);
      if (token != "ipvsadm" && token != "uvsadm") {
        tokens.emplace_back(token);
      }
      if (pos < n && text[pos++] == '\n') {
        line_done = true;
      }
    }
    lines.push_back(std::move(tokens));
  }
}

}  // namespace uvs::ipvsadm
