// sysctl.h — reading and writing kernel parameters under /proc/sys, as sysctl(8) does.
//
// Keys come in sysctl(8)'s two spellings: dotted ("net.ipv4.ip_forward") or slashed
// ("net/ipv4/conf/eth0.100/arp_ignore"); the slashed form is needed when a component contains a
// dot, as VLAN interface names do. A key with a '/' is taken as slashed, otherwise dots separate
// the components. Empty, "." and ".." components are refused, so a key cannot leave /proc/sys.
//
// /proc/sys/net is per network namespace: it shows the namespace of the thread that opens the
// file, so these functions read and write the calling thread's namespace (the director's).
//
// Errors: kInvalidArgument for a malformed key; kSystem for an open/read/write failure, with the
// errno text ("No such file or directory" for an unknown key or interface, "Permission denied"
// without CAP_NET_ADMIN, "Invalid argument" for a value the kernel refuses). where = the key as
// given, and the message names the key too.
//
// Owned by: control thread (blocking file I/O).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace uvs::route {

// "/proc/sys/net/ipv4/ip_forward" for "net.ipv4.ip_forward" or "net/ipv4/ip_forward".
base::Result<std::string> sysctl_path(std::string_view key);

// The value with surrounding whitespace (the trailing newline) removed.
base::Result<std::string> read_sysctl(std::string_view key);

base::Status write_sysctl(std::string_view key, std::string_view value);

}  // namespace uvs::route
