// checks.h — the five kinds of check attempt, each started on an io_context and reporting one
// CheckResult through `done` (posted, never called inline). Each is bounded by the check's
// timeout; none blocks. They run from the director's own kernel stack: ordinary sockets in
// uvsd's network namespace, so the real servers see the director's address (DIP) as the source,
// as they do with keepalived.
//
//   tcp   connect to addr:port. Up = connected. Down = refused, unreachable, reset, timed out.
//   http  connect, send `GET <path> HTTP/1.1` with `Host: <host>` and `Connection: close`, read
//         the response (Content-Length, chunked, or until close; at most 8 MiB). Up = a status
//         within the accepted ranges and, if a digest is given, the MD5 of the body equal to
//         it. The time limit applies to the connect and again to each read, as keepalived's.
//   udp   a connected UDP socket sends the payload and waits for the time limit. Up = a reply,
//         or (without require_reply) no error; down = ECONNREFUSED (an ICMP port unreachable
//         came back) or another ICMP error, or no reply when require_reply is set.
//   ping  ICMP echo request to addr; up = the echo reply. Uses an unprivileged ICMP socket
//         (SOCK_DGRAM, IPPROTO_ICMP) when net.ipv4.ping_group_range admits uvsd's group, else a
//         raw ICMP socket (needs CAP_NET_RAW, which uvsd has anyway for AF_PACKET). uvsd never
//         changes ping_group_range (keepalived may; uvs prefers not to touch a host setting).
//   misc  /bin/sh -c <command> in its own process group, stdin from /dev/null, other
//         descriptors closed. Up = exit 0 (the manager also reads 2..255 for misc_dynamic);
//         at the time limit the group gets SIGTERM, 2 s later SIGKILL (keepalived's sequence),
//         and the attempt is a failure.
// Owned by: the control thread (the io_context's thread).
#pragma once

#include <asio.hpp>

#include "health/check_attempt.h"

namespace uvs::health {

void start_tcp_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done);
void start_http_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done);
void start_udp_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done);
void start_ping_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done);
void start_misc_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done);

// asio's address and endpoint for a uvs address (IPv4; IPv6 when it is wired).
asio::ip::address to_asio(const net::IpAddr& a);

}  // namespace uvs::health
