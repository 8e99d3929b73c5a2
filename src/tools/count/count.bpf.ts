// The kernel side of `tsbpf count`: an XDP program that counts packets and bytes per
// (interface, EtherType) and per (interface, IP version, IP protocol) in two per-CPU hashes, which
// user space sums over CPUs (src/tools/count/counter.ts). Compiled ahead of time by `npm run build`.
//
// What is counted (docs/tools.md, "count"):
//   - every frame of at least 14 bytes counts once in `count_ether` under its outer EtherType
//     (0 for 802.3 frames, whose type field is a length), with the frame's length in bytes;
//   - frames carrying IPv4 or IPv6, behind up to two VLAN tags (802.1Q / 802.1ad), also count in
//     `count_ip` under the IPv4 protocol or the IPv6 upper-layer header, found by walking up to
//     four IPv6 extension headers (hop-by-hop, routing, fragment, destination options, AH); when a
//     header is cut short, or a fifth follows, the last next-header value read is used;
//   - the program always returns XDP_PASS.
// Per-CPU values have one writer (this CPU, in softirq), so plain adds are exact.
import { xdp, PerCpuHashMap, Ipv4Hdr, Ipv6Hdr, struct, be16, u8, u16, u32, u64, XDP_PASS } from "../../kernel/index.js";

/** One CPU's share of one key's traffic. */
export class Counter extends struct({ packets: u64, bytes: u64 }) {}
/** Key of `count_ether`. `etherType` is in host order; 0 stands for every 802.3 length value. */
export class EtherKey extends struct({ ifindex: u32, etherType: u16, pad: u16 }) {}
/** Key of `count_ip`. `ipVersion` is 4 or 6. */
export class IpKey extends struct({ ifindex: u32, ipVersion: u8, protocol: u8, pad: u16 }) {}
/** The first two bytes of every IPv6 extension header. */
class ExtHeader extends struct({ next: u8, length: u8 }) {}

// Keys are (interface, type): generous room for many interfaces and odd EtherTypes.
export const count_ether = new PerCpuHashMap({ key: EtherKey, value: Counter, maxEntries: 8192 });
export const count_ip = new PerCpuHashMap({ key: IpKey, value: Counter, maxEntries: 8192 });

/** Upper bound on the offset of an IPv6 extension header (keeps packet offsets bounded). */
const MAX_L4_OFFSET = 2048;

export const tsbpf_count = xdp((ctx) => {
  const outer = ctx.load(be16, 12);
  if (outer === null) return XDP_PASS;
  const length: u32 = ctx.len;
  const ifindex: u32 = ctx.ingressIfindex;

  const outerType: u32 = outer;
  let type: u32 = outerType;
  let l3: u32 = 14;
  let version: u32 = 0;
  let protocol: u32 = 0;
  let tagsOk = true;
  for (let i: u32 = 0; i < 2; i++) {
    if (type !== 0x8100 && type !== 0x88a8) break;
    const inner = ctx.load(be16, l3 + 2);
    if (inner === null) {
      tagsOk = false;
      break;
    }
    type = inner;
    l3 += 4;
  }
  if (tagsOk && type === 0x0800) {
    const ip = ctx.load(Ipv4Hdr, l3);
    if (ip !== null) {
      version = 4;
      protocol = ip.protocol;
    }
  } else if (tagsOk && type === 0x86dd) {
    const ip6 = ctx.load(Ipv6Hdr, l3);
    if (ip6 !== null) {
      version = 6;
      protocol = ip6.nextHeader;
      let off: u32 = l3 + 40;
      for (let i: u32 = 0; i < 4; i++) {
        if (off > MAX_L4_OFFSET) break;
        const isOptions = protocol === 0 || protocol === 43 || protocol === 60;
        if (!isOptions && protocol !== 44 && protocol !== 51) break;
        const h = ctx.load(ExtHeader, off);
        if (h === null) break;
        const units: u32 = h.length;
        if (isOptions)
          off += (units + 1) * 8; // 8-byte units, not counting the first 8
        else if (protocol === 44)
          off += 8; // fragment: fixed 8 bytes
        else off += (units + 2) * 4; // AH: 4-byte units, not counting the first 8
        protocol = h.next;
      }
    }
  }

  const ek: EtherKey = { ifindex: ifindex, etherType: outerType >= 0x0600 ? outerType : 0, pad: 0 };
  const e = count_ether.lookup(ek);
  if (e !== null) {
    e.packets += 1;
    e.bytes += length;
  } else {
    count_ether.update(ek, { packets: 1, bytes: length });
  }
  if (version === 0) return XDP_PASS;
  const ik: IpKey = { ifindex: ifindex, ipVersion: version, protocol: protocol, pad: 0 };
  const c = count_ip.lookup(ik);
  if (c !== null) {
    c.packets += 1;
    c.bytes += length;
  } else {
    count_ip.update(ik, { packets: 1, bytes: length });
  }
  return XDP_PASS;
});
