// headers.h — wire constants and field offsets of the headers uvs reads and writes.
//
// Frames are parsed by offset (see parser.h); these are the numbers. Offsets are relative to the
// start of their own header.
#pragma once

#include <cstdint>

namespace uvs::packet {

inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kEtherTypeVlan = 0x8100;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;

inline constexpr unsigned kEthHdrLen = 14;
inline constexpr unsigned kVlanTagLen = 4;
inline constexpr unsigned kEthDst = 0;
inline constexpr unsigned kEthSrc = 6;
inline constexpr unsigned kEthType = 12;

// ARP (RFC 826) for Ethernet/IPv4: 28 bytes.
inline constexpr unsigned kArpLen = 28;
inline constexpr unsigned kArpHtype = 0, kArpPtype = 2, kArpHlen = 4, kArpPlen = 5, kArpOper = 6;
inline constexpr unsigned kArpSha = 8, kArpSpa = 14, kArpTha = 18, kArpTpa = 24;
inline constexpr std::uint16_t kArpRequest = 1, kArpReply = 2;

// IPv4 (RFC 791).
inline constexpr unsigned kIpv4MinLen = 20;
inline constexpr unsigned kIpVerIhl = 0, kIpTos = 1, kIpTotLen = 2, kIpId = 4, kIpFragOff = 6;
inline constexpr unsigned kIpTtl = 8, kIpProto = 9, kIpCsum = 10, kIpSrc = 12, kIpDst = 16;
inline constexpr std::uint16_t kIpFlagDf = 0x4000, kIpFlagMf = 0x2000, kIpOffsetMask = 0x1fff;

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoIpip = 4;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIpv6 = 41;
inline constexpr std::uint8_t kProtoGre = 47;

// TCP (RFC 9293).
inline constexpr unsigned kTcpMinLen = 20;
inline constexpr unsigned kTcpSport = 0, kTcpDport = 2, kTcpSeq = 4, kTcpAck = 8;
inline constexpr unsigned kTcpDataOff = 12, kTcpFlags = 13, kTcpCsum = 16;
inline constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAckFlag = 0x10;

// UDP (RFC 768).
inline constexpr unsigned kUdpLen = 8;
inline constexpr unsigned kUdpSport = 0, kUdpDport = 2, kUdpLength = 4, kUdpCsum = 6;

// GUE over UDP (draft-ietf-intarea-gue, Linux's struct guehdr): byte 0 holds version (2 bits),
// C (1 bit) and hlen (5 bits, optional fields in 32-bit words); byte 1 the inner protocol.
inline constexpr unsigned kGueHdrLen = 4;
inline constexpr unsigned kGueVerCHlen = 0, kGueProto = 1, kGueFlags = 2;
inline constexpr std::uint8_t kGueVerCMask = 0xe0, kGueHlenMask = 0x1f;

// GRE (RFC 2784): flags and version (16 bits), protocol; 4 more bytes with the checksum (C).
inline constexpr unsigned kGreHdrLen = 4, kGreCsumHdrLen = 8;
inline constexpr unsigned kGreFlagsVer = 0, kGreProto = 2;
inline constexpr std::uint16_t kGreFlagCsum = 0x8000;

// ICMP (RFC 792).
inline constexpr unsigned kIcmpHdrLen = 8;
inline constexpr unsigned kIcmpType = 0, kIcmpCode = 1, kIcmpCsum = 2, kIcmpMtu = 6;
inline constexpr std::uint8_t kIcmpEchoReply = 0, kIcmpDestUnreach = 3, kIcmpSourceQuench = 4;
inline constexpr std::uint8_t kIcmpEchoRequest = 8, kIcmpTimeExceeded = 11;
inline constexpr std::uint8_t kIcmpPortUnreach = 3, kIcmpFragNeeded = 4;

}  // namespace uvs::packet
