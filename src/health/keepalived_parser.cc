// Two passes: the lexer turns each file into words with their line, marking line ends, and
// splices included files in where their `include` line was (so a block may be split across
// files, as keepalived allows); the parser then groups words into statements and blocks.
#include "health/keepalived_parser.h"

#include <filesystem>
#include <fstream>
#include <glob.h>
#include <sstream>

namespace uvs::health {

namespace {

constexpr int kMaxIncludeDepth = 8;

struct Token {
  enum class Kind { kWord, kOpen, kClose, kEol };
  Kind kind = Kind::kWord;
  KaWord word;
  KaPos pos;
};

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// Whether `in` is UTF-8 without NUL bytes; if not, `out` receives it with each invalid byte
// (and NUL) replaced by U+FFFD.
bool valid_utf8(std::string_view in, std::string& out) {
  const auto seq_len = [&](std::size_t i) -> std::size_t {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    const unsigned char c = b(i);
    if (c != 0 && c < 0x80) {
      return 1;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      lo = c == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
      hi = c == 0xed ? 0x9f : 0xbf;  // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      lo = c == 0xf0 ? 0x90 : 0x80;
      hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
      return 0;
    }
    if (i + n > in.size() || b(i + 1) < lo || b(i + 1) > hi) {
      return 0;
    }
    for (std::size_t k = 2; k < n; ++k) {
      if (b(i + k) < 0x80 || b(i + k) > 0xbf) {
        return 0;
      }
    }
    return n;
  };
  bool ok = true;
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t n = seq_len(i);
    ok = ok && n != 0;
    i += n == 0 ? 1 : n;
  }
  if (ok) {
    return true;
  }
  out.clear();
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t n = seq_len(i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(in.substr(i, n));
      i += n;
    }
  }
  return false;
}

class Lexer {
 public:
  Lexer(const KaIncludeReader& reader, std::vector<KaWarning>& warnings)
      : reader_(reader), warnings_(warnings) {}

  void lex_file(std::string_view text, const std::string& name, int depth) {
    std::uint32_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t eol = text.find('\n', pos);
      const std::string_view line =
          text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
      ++line_no;
      lex_line(line, KaPos{name, line_no}, depth);
      if (eol == std::string_view::npos) {
        break;
      }
      pos = eol + 1;
    }
  }

  std::vector<Token> tokens;

 private:
  void lex_line(std::string_view raw, const KaPos& at, int depth) {
    // The TOML written from these words must be UTF-8: other bytes (a Latin-1 file, a stray
    // byte) become U+FFFD here, and the line is named.
    std::string fixed;
    const bool utf8 = valid_utf8(raw, fixed);
    const std::string_view line = utf8 ? raw : std::string_view(fixed);
    if (!utf8) {
      warnings_.push_back({at,
                           "not valid UTF-8 (or a NUL byte): the invalid bytes are replaced by "
                           "U+FFFD on this line"});
    }
    std::vector<Token> words;
    std::size_t i = 0;
    std::string cur;
    bool in_word = false;
    bool quoted = false;
    const auto flush = [&] {
      if (in_word) {
        words.push_back(Token{Token::Kind::kWord, KaWord{cur, quoted}, at});
      }
      cur.clear();
      in_word = false;
      quoted = false;
    };
    while (i < line.size()) {
      const char c = line[i];
      if (c == '"' || c == '\'') {
        const char q = c;
        in_word = true;
        quoted = true;
        ++i;
        while (i < line.size() && line[i] != q) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            const char e = line[i + 1];
            cur.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            i += 2;
            continue;
          }
          cur.push_back(line[i++]);
        }
        if (i >= line.size()) {
          warnings_.push_back({at, "unterminated quoted string (closed at the end of the line)"});
        }
        ++i;
        continue;
      }
      if (c == '#' || c == '!') {
        break;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        flush();
        ++i;
        continue;
      }
      if (c == '{' || c == '}') {
        flush();
        words.push_back(Token{c == '{' ? Token::Kind::kOpen : Token::Kind::kClose, {}, at});
        ++i;
        continue;
      }
      cur.push_back(c);
      in_word = true;
      ++i;
    }
    flush();
    if (words.empty()) {
      return;
    }
    const Token& first = words.front();
    if (first.kind == Token::Kind::kWord && !first.word.quoted) {
      const std::string& w = first.word.text;
      if (w[0] == '@') {
        warnings_.push_back(
            {at, "conditional configuration line (" + w + ") skipped: uvs has no config-id"});
        return;
      }
      if (w[0] == '$') {
        warnings_.push_back(
            {at, "parameter definition or substitution (" + w + ") not understood: line skipped"});
        return;
      }
      if (w == "include" || w == "includer" || w == "includem" || w == "includew" ||
          w == "includeb" || w == "includea") {
        include(words, at, depth);
        return;
      }
    }
    for (Token& t : words) {
      tokens.push_back(std::move(t));
    }
    tokens.push_back(Token{Token::Kind::kEol, {}, at});
  }

  void include(const std::vector<Token>& words, const KaPos& at, int depth) {
    if (words.size() < 2 || words[1].kind != Token::Kind::kWord) {
      warnings_.push_back({at, "include without a file name"});
      return;
    }
    if (depth >= kMaxIncludeDepth) {
      warnings_.push_back({at,
                           "include " + words[1].word.text + ": more than " +
                               std::to_string(kMaxIncludeDepth) +
                               " levels of include (a loop?): not read"});
      return;
    }
    std::string path = words[1].word.text;
    if (!path.empty() && path[0] != '/') {
      path = dir_of(at.file) + path;
    }
    const std::vector<KaFile> files = reader_ ? reader_(path) : std::vector<KaFile>{};
    if (files.empty()) {
      warnings_.push_back(
          {at,
           "include " + words[1].word.text + ": no such file (" + path + "): nothing included"});
      return;
    }
    for (const KaFile& f : files) {
      lex_file(f.text, f.path, depth + 1);
    }
  }

  const KaIncludeReader& reader_;
  std::vector<KaWarning>& warnings_;
};

class Parser {
 public:
  Parser(const std::vector<Token>& t, std::vector<KaWarning>& w) : t_(t), warnings_(w) {}

  void parse_block(std::vector<KaNode>& out, const KaNode* parent) {
    while (i_ < t_.size()) {
      const Token& tok = t_[i_];
      if (tok.kind == Token::Kind::kEol) {
        ++i_;
        continue;
      }
      if (tok.kind == Token::Kind::kClose) {
        ++i_;
        if (parent != nullptr) {
          return;
        }
        warnings_.push_back({tok.pos, "'}' without a block to close: ignored"});
        continue;
      }
      if (tok.kind == Token::Kind::kOpen) {
        // A block with no keyword: read and drop it.
        warnings_.push_back({tok.pos, "'{' without a keyword: the block is ignored"});
        ++i_;
        std::vector<KaNode> ignored;
        KaNode anon;
        anon.pos = tok.pos;
        parse_block(ignored, &anon);
        continue;
      }
      KaNode node;
      node.keyword = tok.word.text;
      node.pos = tok.pos;
      ++i_;
      while (i_ < t_.size() && t_[i_].kind == Token::Kind::kWord) {
        node.args.push_back(t_[i_].word);
        ++i_;
      }
      // The block may open on the next line ("virtual_server 10.0.0.1 80" then "{"): keepalived
      // then expects the '{' as the first word of the next line (process_stream's need_bob).
      std::size_t next = i_;
      while (next < t_.size() && t_[next].kind == Token::Kind::kEol) {
        ++next;
      }
      if (next > i_ && next < t_.size() && t_[next].kind == Token::Kind::kOpen) {
        i_ = next;
      }
      if (i_ < t_.size() && t_[i_].kind == Token::Kind::kOpen) {
        ++i_;
        node.block = true;
        parse_block(node.children, &node);
      }
      out.push_back(std::move(node));
    }
    if (parent != nullptr) {
      warnings_.push_back(
          {parent->pos,
           "block \"" + parent->keyword + "\" is not closed before the end of the file"});
    }
  }

 private:
  const std::vector<Token>& t_;
  std::vector<KaWarning>& warnings_;
  std::size_t i_ = 0;
};

}  // namespace

KaTree parse_keepalived(std::string_view text,
                        const std::string& name,
                        const KaIncludeReader& read_include) {
  KaTree tree;
  Lexer lexer(read_include, tree.warnings);
  lexer.lex_file(text, name, 0);
  Parser parser(lexer.tokens, tree.warnings);
  parser.parse_block(tree.top, nullptr);
  return tree;
}

std::vector<KaFile> read_include_files(const std::string& pattern) {
  std::vector<KaFile> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(g.gl_pathv[i], ec)) {
        continue;
      }
      std::ifstream in(g.gl_pathv[i], std::ios::binary);
      if (!in) {
        continue;
      }
      std::ostringstream text;
      text << in.rdbuf();
      out.push_back({g.gl_pathv[i], text.str()});
    }
  }
  ::globfree(&g);
  return out;
}

}  // namespace uvs::health
