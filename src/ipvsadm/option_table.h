// option_table.h — ipvsadm's option and command tables, as data.
//
// The parser (command_parser.cc) is driven by these tables, transcribed from ipvsadm 1.31:
//   kPoptOptions       the popt option table (long name, short letter, argument kind, tag);
//                      tags are the short letters, or kTag* above ASCII for long-only options;
//   kOpt*, kOptNames   ipvsadm's OPTC_* option indices and the names its messages use
//                      ("Illegal 'weight' option ..."); kOptJson is uvs's --json;
//   kCmd*, kCmdNames   ipvsadm's CMD_* order and command names ("... with the 'add-service'
//                      command");
//   kLegality          commands_v_options: per command, per option, '+' required, 'x' illegal,
//                      '1' at most one of the '1' options, ' ' optional;
//   kTunnel*           tunnel_types_v_options for ipip / gue / gre.
// The order of kOpt* matters: the legality check reports the first offending option in this
// order, exactly as ipvsadm does. Plain constants; any thread.
#pragma once

#include <array>
#include <string_view>

#include "ipvsadm/popt_scanner.h"

namespace uvs::ipvsadm {

// Option tags: ipvsadm's short letters, and values above ASCII for long-only options.
inline constexpr int kTagSet = 128;
inline constexpr int kTagStartDaemon = 129;
inline constexpr int kTagStopDaemon = 130;
inline constexpr int kTagMcastInterface = 131;
inline constexpr int kTagTimeout = 132;
inline constexpr int kTagDaemon = 133;
inline constexpr int kTagStats = 134;
inline constexpr int kTagRate = 135;
inline constexpr int kTagThresholds = 136;
inline constexpr int kTagPersistentConn = 137;
inline constexpr int kTagSort = 138;
inline constexpr int kTagNoSort = 139;
inline constexpr int kTagPe = 140;
inline constexpr int kTagSctpService = 141;
inline constexpr int kTagMcastGroup = 142;
inline constexpr int kTagMcastPort = 143;
inline constexpr int kTagMcastTtl = 144;
inline constexpr int kTagSyncMaxlen = 145;
inline constexpr int kTagTunInfo = 146;
inline constexpr int kTagTunType = 147;
inline constexpr int kTagTunPort = 148;
inline constexpr int kTagTunNocsum = 149;
inline constexpr int kTagTunCsum = 150;
inline constexpr int kTagTunRemcsum = 151;
inline constexpr int kTagJson = 152;

inline constexpr PoptOption kPoptOptions[] = {
    {"add-service", 'A', PoptArg::kNone, 'A'},
    {"edit-service", 'E', PoptArg::kNone, 'E'},
    {"delete-service", 'D', PoptArg::kNone, 'D'},
    {"clear", 'C', PoptArg::kNone, 'C'},
    {"list", 'L', PoptArg::kNone, 'L'},
    {"list", 'l', PoptArg::kNone, 'l'},
    {"zero", 'Z', PoptArg::kNone, 'Z'},
    {"add-server", 'a', PoptArg::kNone, 'a'},
    {"edit-server", 'e', PoptArg::kNone, 'e'},
    {"delete-server", 'd', PoptArg::kNone, 'd'},
    {"set", '\0', PoptArg::kNone, kTagSet},
    {"help", 'h', PoptArg::kNone, 'h'},
    {"version", 'v', PoptArg::kNone, 'v'},
    {"restore", 'R', PoptArg::kNone, 'R'},
    {"save", 'S', PoptArg::kNone, 'S'},
    {"start-daemon", '\0', PoptArg::kRequired, kTagStartDaemon},
    {"stop-daemon", '\0', PoptArg::kRequired, kTagStopDaemon},
    {"tcp-service", 't', PoptArg::kRequired, 't'},
    {"udp-service", 'u', PoptArg::kRequired, 'u'},
    {"sctp-service", '\0', PoptArg::kRequired, kTagSctpService},
    {"fwmark-service", 'f', PoptArg::kRequired, 'f'},
    {"scheduler", 's', PoptArg::kRequired, 's'},
    {"persistent", 'p', PoptArg::kOptional, 'p'},
    {"netmask", 'M', PoptArg::kRequired, 'M'},
    {"real-server", 'r', PoptArg::kRequired, 'r'},
    {"masquerading", 'm', PoptArg::kNone, 'm'},
    {"ipip", 'i', PoptArg::kNone, 'i'},
    {"gatewaying", 'g', PoptArg::kNone, 'g'},
    {"weight", 'w', PoptArg::kRequired, 'w'},
    {"u-threshold", 'x', PoptArg::kRequired, 'x'},
    {"l-threshold", 'y', PoptArg::kRequired, 'y'},
    {"numeric", 'n', PoptArg::kNone, 'n'},
    {"connection", 'c', PoptArg::kNone, 'c'},
    {"mcast-interface", '\0', PoptArg::kRequired, kTagMcastInterface},
    {"syncid", '\0', PoptArg::kRequired, 'I'},
    {"timeout", '\0', PoptArg::kNone, kTagTimeout},
    {"daemon", '\0', PoptArg::kNone, kTagDaemon},
    {"stats", '\0', PoptArg::kNone, kTagStats},
    {"rate", '\0', PoptArg::kNone, kTagRate},
    {"thresholds", '\0', PoptArg::kNone, kTagThresholds},
    {"persistent-conn", '\0', PoptArg::kNone, kTagPersistentConn},
    {"nosort", '\0', PoptArg::kNone, kTagNoSort},
    {"sort", '\0', PoptArg::kNone, kTagSort},
    {"exact", 'X', PoptArg::kNone, 'X'},
    {"ipv6", '6', PoptArg::kNone, '6'},
    {"ops", 'o', PoptArg::kNone, 'o'},
    {"pe", '\0', PoptArg::kRequired, kTagPe},
    {"sched-flags", 'b', PoptArg::kRequired, 'b'},
    {"mcast-group", '\0', PoptArg::kRequired, kTagMcastGroup},
    {"mcast-port", '\0', PoptArg::kRequired, kTagMcastPort},
    {"mcast-ttl", '\0', PoptArg::kRequired, kTagMcastTtl},
    {"sync-maxlen", '\0', PoptArg::kRequired, kTagSyncMaxlen},
    {"tun-info", '\0', PoptArg::kNone, kTagTunInfo},
    {"tun-type", '\0', PoptArg::kRequired, kTagTunType},
    {"tun-port", '\0', PoptArg::kRequired, kTagTunPort},
    {"tun-nocsum", '\0', PoptArg::kNone, kTagTunNocsum},
    {"tun-csum", '\0', PoptArg::kNone, kTagTunCsum},
    {"tun-remcsum", '\0', PoptArg::kNone, kTagTunRemcsum},
    {"json", '\0', PoptArg::kNone, kTagJson},
};

// ipvsadm's OPTC_* indices (bit numbers of the option set), plus kOptJson.
inline constexpr int kOptNumeric = 0;
inline constexpr int kOptConnection = 1;
inline constexpr int kOptService = 2;
inline constexpr int kOptScheduler = 3;
inline constexpr int kOptPersistent = 4;
inline constexpr int kOptNetmask = 5;
inline constexpr int kOptServer = 6;
inline constexpr int kOptForward = 7;
inline constexpr int kOptWeight = 8;
inline constexpr int kOptUThreshold = 9;
inline constexpr int kOptLThreshold = 10;
inline constexpr int kOptMcast = 11;
inline constexpr int kOptTimeout = 12;
inline constexpr int kOptDaemon = 13;
inline constexpr int kOptStats = 14;
inline constexpr int kOptRate = 15;
inline constexpr int kOptThresholds = 16;
inline constexpr int kOptPersistentConn = 17;
inline constexpr int kOptNoSort = 18;
inline constexpr int kOptSyncId = 19;
inline constexpr int kOptExact = 20;
inline constexpr int kOptOnePacket = 21;
inline constexpr int kOptPe = 22;
inline constexpr int kOptSchedFlags = 23;
inline constexpr int kOptMcastGroup = 24;
inline constexpr int kOptMcastPort = 25;
inline constexpr int kOptMcastTtl = 26;
inline constexpr int kOptSyncMaxlen = 27;
inline constexpr int kOptTunInfo = 28;
inline constexpr int kOptTunType = 29;
inline constexpr int kOptTunPort = 30;
inline constexpr int kOptTunNocsum = 31;
inline constexpr int kOptTunCsum = 32;
inline constexpr int kOptTunRemcsum = 33;
inline constexpr int kOptJson = 34;
inline constexpr int kNumOpts = 35;

inline constexpr std::array<std::string_view, kNumOpts> kOptNames = {
    "numeric",
    "connection",
    "service-address",
    "scheduler",
    "persistent",
    "netmask",
    "real-server",
    "forwarding-method",
    "weight",
    "u-threshold",
    "l-threshold",
    "mcast-interface",
    "timeout",
    "daemon",
    "stats",
    "rate",
    "thresholds",
    "persistent-conn",
    "nosort",
    "syncid",
    "exact",
    "ops",
    "pe",
    "sched-flags",
    "mcast-group",
    "mcast-port",
    "mcast-ttl",
    "sync-maxlen",
    "tun-info",
    "tun-type",
    "tun-port",
    "tun-nocsum",
    "tun-csum",
    "tun-remcsum",
    "json",
};

// ipvsadm's CMD_* order (rows of the legality table).
inline constexpr int kCmdAdd = 0;
inline constexpr int kCmdEdit = 1;
inline constexpr int kCmdDel = 2;
inline constexpr int kCmdFlush = 3;
inline constexpr int kCmdList = 4;
inline constexpr int kCmdAddDest = 5;
inline constexpr int kCmdDelDest = 6;
inline constexpr int kCmdEditDest = 7;
inline constexpr int kCmdTimeout = 8;
inline constexpr int kCmdStartDaemon = 9;
inline constexpr int kCmdStopDaemon = 10;
inline constexpr int kCmdRestore = 11;
inline constexpr int kCmdSave = 12;
inline constexpr int kCmdZero = 13;
inline constexpr int kNumCmds = 14;

inline constexpr std::array<std::string_view, kNumCmds> kCmdNames = {
    "add-service",
    "edit-service",
    "delete-service",
    "flush",
    "list",
    "add-server",
    "delete-server",
    "edit-server",
    "set",
    "start-daemon",
    "stop-daemon",
    "restore",
    "save",
    "zero",
};

// commands_v_options: '+' compulsory, 'x' illegal, '1' at most one of them, ' ' optional.
// Columns follow Opt; the last one is --json.
inline constexpr std::array<std::string_view, kNumCmds> kLegality = {
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",  // add-service
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",  // edit-service
    "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-service
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // flush
    " 11xxxxxxxxx11       xxxxxxx xxxxx ",  // list
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",  // add-server
    "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-server
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",  // edit-server
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // set
    "xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx",  // start-daemon
    "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx",  // stop-daemon
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // restore
    " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // save
    "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // zero
};

constexpr bool legality_table_is_well_formed() {
  for (std::string_view row : kLegality) {
    if (row.size() != kNumOpts) {
      return false;
    }
  }
  return true;
}
static_assert(legality_table_is_well_formed());

// tunnel_types_v_options: rows ipip gue gre, columns tun-port nocsum csum remcsum.
inline constexpr std::array<std::string_view, 3> kTunnelNames = {"ipip", "gue", "gre"};
inline constexpr std::array<int, 4> kTunnelOpts = {
    kOptTunPort, kOptTunNocsum, kOptTunCsum, kOptTunRemcsum};
inline constexpr std::array<std::string_view, 3> kTunnelLegality = {"xxxx", "+111", "x11x"};

}  // namespace uvs::ipvsadm
