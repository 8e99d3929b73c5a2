// The kernel side of `tsbpf count`: an XDP program that counts packets and bytes per
// (interface, EtherType) and per (interface, IP version, IP protocol) in two per-CPU hashes.
//
// This module is the one place the tool gets its program from. Today the bytecode is assembled
// by hand with src/asm; when the kernel-TypeScript compiler can build the same program, only
// countProgram() changes. The contract that must stay: the map names, key and value layouts
// below, and what the program counts (see docs/tools.md, "count"):
//   - every frame of at least 14 bytes counts once in `ether_types` under its outer EtherType
//     (0 for 802.3 frames, whose type field is a length), with the frame's length in bytes;
//   - frames carrying IPv4 or IPv6, behind up to two VLAN tags (802.1Q / 802.1ad), also count in
//     `ip_protocols` under the IPv4 protocol or the IPv6 upper-layer header, found by walking up
//     to four IPv6 extension headers (hop-by-hop, routing, fragment, destination options, AH);
//     when a header is cut short, the last next-header value read is used.
//   - the program always returns XDP_PASS.
import { Assembler, FP, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, Size } from "../../asm/index.js";
import { struct, u16, u32, u64, u8, type Codec, type StructCodec } from "../../maps/index.js";
import type { Bytecode } from "../../programs/program.js";
import { UpdateFlags, XdpAction } from "../../uapi.js";

/** One CPU's share of one key's traffic. */
export const Counter = struct({ packets: u64, bytes: u64 }, "count_value");
/** Key of `ether_types`. `etherType` is in host order; 0 stands for every 802.3 length value. */
export const EtherKey = struct({ ifindex: u32, etherType: u16, pad: u16 }, "ether_key");
/** Key of `ip_protocols`. `ipVersion` is 4 or 6. */
export const IpKey = struct({ ifindex: u32, ipVersion: u8, protocol: u8, pad: u16 }, "ip_key");

export type CounterValue = ReturnType<typeof Counter.decode>;

/** What the tool needs to create one of the program's maps (always a per-CPU hash). */
export interface CountMapSpec<K> {
  name: string;
  key: Codec<K>;
  value: StructCodec<typeof Counter.fields>;
  maxEntries: number;
}

/** The maps the program uses, created by the caller (anything with an fd). */
export interface CountMapFds {
  etherTypes: { fd: number };
  ipProtocols: { fd: number };
}

/** Everything needed to load the counter: its maps, and its bytecode once the maps exist. */
export interface CountProgramSource {
  /** Program name as the kernel shows it (at most 15 characters). */
  name: string;
  license: string;
  maps: {
    etherTypes: CountMapSpec<ReturnType<typeof EtherKey.decode>>;
    ipProtocols: CountMapSpec<ReturnType<typeof IpKey.decode>>;
  };
  /** Bytecode referring to the given maps (map fds resolved). */
  bytecode(maps: CountMapFds): Bytecode;
  /** Where the bytecode comes from, for `--verbose`-style messages. */
  origin: "assembler" | "kernel-typescript";
}

const ETH_HLEN = 14;
const ETH_P_8021Q = 0x8100, ETH_P_8021AD = 0x88a8, ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd;
const MAX_VLAN_TAGS = 2;
const MAX_IPV6_EXT_HEADERS = 4;
/** Upper bound on the L4 offset: keeps the packet-pointer arithmetic bounded for the verifier. */
const MAX_L4_OFFSET = 2048;
const IPPROTO_HOPOPTS = 0, IPPROTO_ROUTING = 43, IPPROTO_FRAGMENT = 44, IPPROTO_AH = 51, IPPROTO_DSTOPTS = 60;

// struct xdp_md offsets.
const XDP_DATA = 0, XDP_DATA_END = 4, XDP_INGRESS_IFINDEX = 12;

// Stack layout (offsets from FP).
const ETHER_KEY = -8;   // ifindex u32 @-8, ether_type u16 @-4, pad u16 @-2
const IP_KEY = -16;     // ifindex u32 @-16, ip_version u8 @-12, protocol u8 @-11, pad u16 @-10
const NEW_VALUE = -32;  // packets u64 @-32, bytes u64 @-24

/**
 * Adds {1, r8} to `key`'s value for this CPU: lookup, add in place, or insert {1, r8}. Per-CPU
 * values have one writer (this CPU, in softirq), so plain adds are exact. If another CPU inserts
 * the key between our lookup and update, BPF_ANY only writes this CPU's slot, which was zero.
 */
function emitCount(a: Assembler, map: { fd: number }, keyOffset: number, label: string): void {
  a.ldMapFd(R1, map).mov64(R2, FP).add64(R2, keyOffset)
    .call("map_lookup_elem")
    .jeq(R0, 0, `${label}_insert`)
    .ldx(Size.DW, R1, R0, 0).add64(R1, 1).stx(Size.DW, R0, R1, 0)
    .ldx(Size.DW, R1, R0, 8).add64(R1, R8).stx(Size.DW, R0, R1, 8)
    .ja(`${label}_done`)
    .label(`${label}_insert`)
    .st(Size.DW, FP, NEW_VALUE, 1).stx(Size.DW, FP, R8, NEW_VALUE + 8)
    .ldMapFd(R1, map).mov64(R2, FP).add64(R2, keyOffset).mov64(R3, FP).add64(R3, NEW_VALUE).mov64(R4, UpdateFlags.ANY)
    .call("map_update_elem")
    .label(`${label}_done`);
}

/**
 * Registers: r6 ctx, r7 EtherType of the current header, r8 frame length, r9 "the IP key is
 * filled", r1/r2 data/data_end, r5 offset of the current header, r4 IPv6 next header.
 */
function assembleCounter(maps: CountMapFds): Bytecode {
  const a = new Assembler();
  a.mov64(R6, R1)
    .ldx(Size.W, R1, R6, XDP_DATA)
    .ldx(Size.W, R2, R6, XDP_DATA_END)
    .mov64(R8, R2).sub64(R8, R1)
    .mov64(R3, R1).add64(R3, ETH_HLEN)
    .jgt(R3, R2, "pass")
    // Both keys start with the ingress ifindex and end with zero padding.
    .ldx(Size.W, R9, R6, XDP_INGRESS_IFINDEX)
    .stx(Size.W, FP, R9, ETHER_KEY).st(Size.H, FP, ETHER_KEY + 6, 0)
    .stx(Size.W, FP, R9, IP_KEY).st(Size.H, FP, IP_KEY + 6, 0)
    .mov64(R9, 0)
    .ldx(Size.H, R7, R1, 12).be(R7, 16)
    .mov64(R3, R7)
    .jge(R3, 0x0600, "typed")
    .mov64(R3, 0) // 802.3: the field is a length, not a type
    .label("typed")
    .stx(Size.H, FP, R3, ETHER_KEY + 4)
    .mov64(R5, ETH_HLEN);

  // VLAN tags: each is 4 bytes, the inner EtherType in its last two.
  for (let tag = 0; tag < MAX_VLAN_TAGS; tag++) {
    a.jeq(R7, ETH_P_8021Q, `vlan${tag}`)
      .jeq(R7, ETH_P_8021AD, `vlan${tag}`)
      .ja("l3")
      .label(`vlan${tag}`)
      .mov64(R3, R1).add64(R3, ETH_HLEN + 4 * (tag + 1))
      .jgt(R3, R2, "count")
      .ldx(Size.H, R7, R1, ETH_HLEN + 4 * tag + 2).be(R7, 16)
      .mov64(R5, ETH_HLEN + 4 * (tag + 1));
  }

  a.label("l3")
    .jeq(R7, ETH_P_IP, "ipv4")
    .jeq(R7, ETH_P_IPV6, "ipv6")
    .ja("count")

    .label("ipv4")
    .mov64(R3, R1).add64(R3, R5)
    .mov64(R0, R3).add64(R0, 20)
    .jgt(R0, R2, "count")
    .ldx(Size.B, R4, R3, 9)
    .st(Size.B, FP, IP_KEY + 4, 4)
    .stx(Size.B, FP, R4, IP_KEY + 5)
    .mov64(R9, 1)
    .ja("count")

    .label("ipv6")
    .mov64(R3, R1).add64(R3, R5)
    .mov64(R0, R3).add64(R0, 40)
    .jgt(R0, R2, "count")
    .ldx(Size.B, R4, R3, 6)
    .add64(R5, 40)
    .st(Size.B, FP, IP_KEY + 4, 6)
    .mov64(R9, 1);

  for (let ext = 0; ext < MAX_IPV6_EXT_HEADERS; ext++) {
    const next = `ext${ext}_next`;
    a.stx(Size.B, FP, R4, IP_KEY + 5)
      .jeq(R4, IPPROTO_HOPOPTS, `ext${ext}_opts`)
      .jeq(R4, IPPROTO_ROUTING, `ext${ext}_opts`)
      .jeq(R4, IPPROTO_DSTOPTS, `ext${ext}_opts`)
      .jeq(R4, IPPROTO_FRAGMENT, `ext${ext}_frag`)
      .jeq(R4, IPPROTO_AH, `ext${ext}_ah`)
      .ja("count");
    // Every extension header starts with (next header u8, length u8).
    const readHeader = (label: string): void => {
      a.label(label)
        .jgt(R5, MAX_L4_OFFSET, "count")
        .mov64(R3, R1).add64(R3, R5)
        .mov64(R0, R3).add64(R0, 2)
        .jgt(R0, R2, "count")
        .ldx(Size.B, R4, R3, 0)
        .ldx(Size.B, R0, R3, 1);
    };
    readHeader(`ext${ext}_opts`); // length in 8-byte units, not counting the first 8
    a.add64(R0, 1).lsh64(R0, 3).add64(R5, R0).ja(next);
    readHeader(`ext${ext}_frag`); // fixed 8 bytes
    a.add64(R5, 8).ja(next);
    readHeader(`ext${ext}_ah`);   // length in 4-byte units, not counting the first 8
    a.add64(R0, 2).lsh64(R0, 2).add64(R5, R0);
    a.label(next);
  }
  a.stx(Size.B, FP, R4, IP_KEY + 5);

  a.label("count");
  emitCount(a, maps.etherTypes, ETHER_KEY, "ether");
  a.jeq(R9, 0, "pass");
  emitCount(a, maps.ipProtocols, IP_KEY, "ip");
  a.label("pass")
    .mov64(R0, XdpAction.PASS)
    .exit();
  return a.assemble();
}

/** The program `tsbpf count` loads: maps to create, then bytecode for them. */
export function countProgram(): CountProgramSource {
  return {
    name: "tsbpf_count",
    license: "GPL",
    origin: "assembler",
    maps: {
      // Keys are (interface, type): generous room for many interfaces and odd EtherTypes.
      etherTypes: { name: "count_ether", key: EtherKey, value: Counter, maxEntries: 8192 },
      ipProtocols: { name: "count_ip", key: IpKey, value: Counter, maxEntries: 8192 },
    },
    bytecode: assembleCounter,
  };
}
