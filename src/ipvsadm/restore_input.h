// restore_input.h — how ipvsadm -R cuts its standard input into command lines.
//
// ipvsadm's config_stream_read(): each line is split on blanks (space, tab, CR) into tokens;
// the token "ipvsadm" is dropped wherever it appears (uvs also drops "uvsadm"), so both
// "ipvsadm -A -t ..." and "-A -t ..." lines work. Lines with no token left are returned
// empty (the runner skips them). Two quirks are kept because they change what gets restored:
// '#' starts no comment (ipvsadm's comment check never fires), and a last line without a
// newline is dropped when it ends in two or more blanks (ipvsadm hits end of input while
// skipping them and discards the line).
// Pure function; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace uvs::ipvsadm {

std::vector<std::vector<std::string>> split_restore_input(std::string_view text);

}  // namespace uvs::ipvsadm
