#include "dataplane/verdict.h"

namespace uvs::dataplane {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kForwarded:
      return "forwarded";
    case Verdict::kReplied:
      return "replied";
    case Verdict::kQueued:
      return "queued";
    case Verdict::kDropped:
      return "dropped";
    case Verdict::kToHost:
      return "to-host";
    case Verdict::kCount:
      break;
  }
  return "?";
}

}  // namespace uvs::dataplane
