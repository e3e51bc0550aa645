// A small re-statement of poptGetNextOpt() for an option table without aliases, callbacks or
// one-dash long options (ipvsadm uses none of them). The order of the checks follows popt so
// that every odd command line (bundles with arguments, "-p" followed by an option, a lone "-")
// is read exactly as ipvsadm reads it.
#include "ipvsadm/popt_scanner.h"

namespace uvs::ipvsadm {

const PoptOption* PoptScanner::find_short(char c) const {
  for (const PoptOption& o : table_) {
    if (o.short_name != '\0' && o.short_name == c) {
      return &o;
    }
  }
  return nullptr;
}

const PoptOption* PoptScanner::find_long(std::string_view name) const {
  for (const PoptOption& o : table_) {
    if (!o.long_name.empty() && o.long_name == name) {
      return &o;
    }
  }
  return nullptr;
}

int PoptScanner::take_argument(const PoptOption& opt, std::optional<std::string>* arg) {
  if (next_ >= args_.size()) {
    if (opt.arg == PoptArg::kOptional) {
      return opt.tag;
    }
    return kErrNoArg;
  }
  // popt peeks at the next element only to decide about optional arguments; a required
  // argument is taken even when it looks like an option ("-w -1").
  if (opt.arg == PoptArg::kOptional && !args_[next_].empty() && args_[next_][0] == '-') {
    return opt.tag;
  }
  *arg = args_[next_++];
  return opt.tag;
}

int PoptScanner::next(std::optional<std::string>* arg) {
  arg->reset();
  for (;;) {
    if (!bundle_rest_.empty()) {
      const PoptOption* opt = find_short(bundle_rest_[0]);
      if (opt == nullptr) {
        bundle_rest_.clear();
        return kErrBadOpt;
      }
      bundle_rest_.erase(0, 1);
      if (opt->arg == PoptArg::kNone) {
        return opt->tag;
      }
      if (!bundle_rest_.empty()) {
        // "-w5" and "-w=5" both mean 5.
        *arg = bundle_rest_.substr(bundle_rest_[0] == '=' ? 1 : 0);
        bundle_rest_.clear();
        return opt->tag;
      }
      return take_argument(*opt, arg);
    }

    if (next_ >= args_.size()) {
      return kEnd;
    }
    const std::string& s = args_[next_++];
    if (rest_leftover_ || s.empty() || s[0] != '-' || s == "-") {
      leftovers_.push_back(s);
      continue;
    }
    if (s == "--") {
      rest_leftover_ = true;
      continue;
    }
    if (s[1] != '-') {
      bundle_rest_ = s.substr(1);
      continue;
    }

    std::string_view body = std::string_view(s).substr(2);
    std::optional<std::string> long_arg;
    if (const auto eq = body.find('='); eq != std::string_view::npos) {
      long_arg = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const PoptOption* opt = find_long(body);
    if (opt == nullptr) {
      return kErrBadOpt;
    }
    if (opt->arg == PoptArg::kNone) {
      return long_arg ? kErrUnwantedArg : opt->tag;
    }
    if (long_arg) {
      *arg = std::move(*long_arg);
      return opt->tag;
    }
    return take_argument(*opt, arg);
  }
}

std::string_view PoptScanner::bad_option() const {
  return next_ == 0 ? std::string_view() : std::string_view(args_[next_ - 1]);
}

std::optional<std::string> PoptScanner::next_leftover() {
  if (leftover_pos_ >= leftovers_.size()) {
    return std::nullopt;
  }
  return leftovers_[leftover_pos_++];
}

std::string_view popt_strerror(int code) {
  switch (code) {
    case PoptScanner::kErrNoArg:
      return "missing argument";
    case PoptScanner::kErrBadOpt:
      return "unknown option";
    case PoptScanner::kErrUnwantedArg:
      return "option does not take an argument";
    default:
      return "unknown error";
  }
}

}  // namespace uvs::ipvsadm
