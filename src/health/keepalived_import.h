// keepalived_import.h — `uvsd import-keepalived keepalived.conf`: keepalived's LVS
// configuration (virtual_server / real_server blocks and their checkers) as uvs TOML.
//
// Input: the main file's text and name, and an include reader (keepalived_parser.h). Output:
// the TOML text (one [[service]] per virtual server, or per address/range/fwmark of a
// virtual_server_group, with [[service.real]] and [service.real.check] tables; every key as
// config/uvs.example.toml documents it), and one warning per keyword or value that could not be
// carried over, each naming the file, the line and the block ("keepalived.conf:41:
// virtual_server 10.0.0.1 80: real_server 10.0.2.11 80: "smtp_alert" is not carried over (uvs
// sends no mail)"). A pure function: no file is read except through the reader.
//
// What is carried over (reference §9): lvs_sched/lb_algo, scheduler flags, ops, lvs_method/
// lb_kind (NAT, DR, TUN with type ipip|gue port N|gre and nocsum|csum|remcsum),
// persistence_timeout (no value: 360), persistence_granularity, protocol TCP|UDP, quorum,
// hysteresis, quorum_up/quorum_down, sorry_server (+ sorry_server_lvs_method), weight,
// uthreshold/lthreshold, inhibit_on_failure, notify_up/notify_down, alpha, delay_loop,
// connect_timeout, retry/nb_get_retry, delay_before_retry, warmup (inherited virtual server →
// real server → checker, as keepalived does), virtualhost, and the checkers TCP_CHECK, HTTP_GET
// (the first url: path, digest, status_code), SSL_GET (as a TCP connect check: uvs speaks no
// TLS; warned), MISC_CHECK (misc_path, misc_timeout, misc_dynamic), UDP_CHECK (payload,
// require_reply) and PING_CHECK, with connect_port. A fwmark virtual server becomes a fwmark
// service with a commented [[mark]] template to complete by hand (uvs marks packets itself;
// the file does not load until a rule sets the mark).
//
// Values are read as keepalived reads them: one-value keywords (path, digest, virtualhost) take
// the first word and the rest is warned (keepalived_parser.h: a block on one line is one
// statement); a url without a path is dropped, and an HTTP_GET/SSL_GET left without a url; port
// 0 of a real or sorry server is the virtual server's port. keepalived's own corrections are
// made with its wording (check_data.c): a quorum above the total weight of the real servers is
// lowered to it (to 1 when every weight is 0: uvs's least quorum), then a hysteresis not below
// the quorum to quorum - 1, and a real server written twice is written once. Whatever uvs's
// loader would refuse is fixed with a warning, so the output always loads (but for the [[mark]]
// rules of fwmark services). Everything else — global_defs,
// vrrp_* blocks, SMTP/DNS/BFD/FILE checks, a second checker or url, smtp_alert, ha_suspend,
// omega, users of scripts, IPv6, SCTP ... — is named in a warning and left out.
// Owned by: any thread (pure function).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "health/keepalived_parser.h"

namespace uvs::health {

struct KaImport {
  std::string toml;
  std::vector<KaWarning> warnings;
  std::size_t services = 0;  // [[service]] tables written
  std::size_t reals = 0;     // [[service.real]] tables written
};

KaImport import_keepalived(std::string_view text,
                           const std::string& name,
                           const KaIncludeReader& read_include);

}  // namespace uvs::health
