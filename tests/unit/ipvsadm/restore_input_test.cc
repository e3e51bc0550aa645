#include "ipvsadm/restore_input.h"

#include <doctest/doctest.h>

using namespace uvs::ipvsadm;
using Lines = std::vector<std::vector<std::string>>;

TEST_CASE("restore input: lines are split on blanks, ipvsadm/uvsadm tokens dropped") {
  CHECK(split_restore_input("-A -t 10.0.0.1:80 -s rr\n") ==
        Lines{{"-A", "-t", "10.0.0.1:80", "-s", "rr"}});
  CHECK(split_restore_input("ipvsadm -C\nuvsadm -Ln\n-a ipvsadm -t x\n") ==
        Lines{{"-C"}, {"-Ln"}, {"-a", "-t", "x"}});
  CHECK(split_restore_input("  \t-C \r\n\n\n-Z") == Lines{{"-C"}, {}, {}, {"-Z"}});
  CHECK(split_restore_input("ipvsadm\n") == Lines{{}});
  CHECK(split_restore_input("") == Lines{});
  CHECK(split_restore_input("\n") == Lines{{}});
  // Only the exact word is dropped.
  CHECK(split_restore_input("/sbin/ipvsadm -C\n") == Lines{{"/sbin/ipvsadm", "-C"}});
}

TEST_CASE("restore input: ipvsadm's quirks are kept") {
  // '#' starts no comment.
  CHECK(split_restore_input("-C # flush\n") == Lines{{"-C", "#", "flush"}});
  // A last line without newline survives one trailing blank but not two.
  CHECK(split_restore_input("-C\n-Z ") == Lines{{"-C"}, {"-Z"}});
  CHECK(split_restore_input("-C\n-Z  ") == Lines{{"-C"}});
  CHECK(split_restore_input("-C\n-Z\t\r") == Lines{{"-C"}});
}
