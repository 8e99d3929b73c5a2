// Network headers as kernel structs. Multi-byte fields are network order in the packet and are
// declared be16/be32, so kernel code reads them in host order (`eth.etherType === ETH_P_IP`).
import { be16, be32, bytes, struct, u16, u32, u8 } from "./types.js";

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

/**
 * struct bpf_fib_lookup (64 bytes), the question and answer of fibLookup(): fill family,
 * l4Protocol, ports, totLen, ifindex (the input interface, or the output one with
 * BPF_FIB_LOOKUP_OUTPUT) and the addresses; on BPF_FIB_LKUP_RET_SUCCESS the kernel writes the
 * egress ifindex, smac and dmac (and mtuResult in totLen's place). The C unions are laid out as
 * their first members: `tos` is a u32 (IPv4 TOS in its low byte, IPv6 flowinfo, or rt_metric), and
 * an IPv6 address is `viewAs(bytes(16), params, 16)` (source) or `… 32` (destination).
 */
export class FibLookup extends struct({
  family: u8,
  l4Protocol: u8,
  sport: be16,
  dport: be16,
  totLen: u16,
  ifindex: u32,
  tos: u32,
  ipv4Src: be32,
  ipv6SrcRest: bytes(12),
  ipv4Dst: be32,
  ipv6DstRest: bytes(12),
  vlanProto: be16,
  vlanTci: be16,
  smac: bytes(6),
  dmac: bytes(6),
}) {}
