// replay_command.h — `uvsd replay ...` as a program: arguments in, exit status out.
//
// Parses the arguments (replay_args.h), runs the replay (replayer.h) and reports on stderr:
// one summary line on success ("uvsd replay: 12 frames in (eth0 7, eth1 5), 11 out ...; wrote
// out/eth0.pcap, out/eth1.pcap"), or the error ("uvsd replay: in.pcap: record 7: ...").
// Inputs are pcap or pcapng; a pcapng frame may carry its vnet header (GSO super-packet, partial
// checksum) as a `uvs-vnet` packet comment (vnet_annotation.h) — a malformed one is an error
// ("in.pcapng: record 3: uvs-vnet annotation: gso_size=0: ..."). Outputs are classic pcap of wire
// frames: super-packets uvsd sends are written segmented, checksums completed (replayer.h).
// --listing FILE writes the final `uvsadm -Ln --stats` and `-Ln --rate` listings (replayer.h);
// the summary's "wrote" list names it after the captures.
// Exit status: 0 done, 1 the replay was refused or failed, 2 bad command line (usage printed).
// Owned by: the main thread.
#pragma once

#include <span>
#include <string>

namespace uvs::replay {

// The usage lines of the replay subcommand (part of uvsd's --help).
extern const char* const kReplayUsage;

// `args` are the arguments after "replay".
int replay_main(std::span<const std::string> args);

}  // namespace uvs::replay
