// Network headers as kernel structs. Multi-byte fields are network order in the packet and are
// declared be16/be32, so kernel code reads them in host order (`eth.etherType === ETH_P_IP`).
import { be16, be32, bytes, struct, u8 } from "./types.js";

/** Ethernet header (14 bytes). */
export class EthHdr extends struct({ dst: bytes(6), src: bytes(6), etherType: be16 }) {}

/** 802.1Q / 802.1ad tag that follows the MAC addresses (4 bytes): tag control, then the inner EtherType. */
export class VlanHdr extends struct({ tci: be16, etherType: be16 }) {}

/** IPv4 header without options (20 bytes). `versionIhl`: version in the high nibble, header length in 32-bit words in the low one. */
export class Ipv4Hdr extends struct({
  versionIhl: u8,
  tos: u8,
  totalLength: be16,
  id: be16,
  fragOff: be16,
  ttl: u8,
  protocol: u8,
  check: be16,
  saddr: be32,
  daddr: be32,
}) {}

/** IPv6 fixed header (40 bytes). */
export class Ipv6Hdr extends struct({
  versionClassFlow: be32,
  payloadLength: be16,
  nextHeader: u8,
  hopLimit: u8,
  saddr: bytes(16),
  daddr: bytes(16),
}) {}

/** TCP header without options (20 bytes). `dataOffset`: header length in 32-bit words in the high nibble. */
export class TcpHdr extends struct({
  sport: be16,
  dport: be16,
  seq: be32,
  ackSeq: be32,
  dataOffset: u8,
  flags: u8,
  window: be16,
  check: be16,
  urgent: be16,
}) {}

/** UDP header (8 bytes). */
export class UdpHdr extends struct({ sport: be16, dport: be16, length: be16, check: be16 }) {}

/** ICMP / ICMPv6 header (8 bytes). */
export class IcmpHdr extends struct({ type: u8, code: u8, checksum: be16, rest: be32 }) {}
