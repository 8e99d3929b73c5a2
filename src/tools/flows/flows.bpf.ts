// The kernel side of `tsbpf flows`: an XDP program (frames an interface receives, "ingress") and a
// TC program (frames it sends, "egress") that parse each frame into a flow key — interface,
// direction, VLAN, IP version, protocol, addresses, ports — and then, as user space chose before
// loading (.rodata constants, so the verifier prunes the unused paths):
//   - `packetEvents`: send one record per IP packet through the `packets` ring buffer;
//   - `flowTable`: add the packet to its flow's counters in `flows` (an LRU per-CPU hash, so
//     user space reads totals without any per-packet traffic and old flows make room for new);
// and always add every frame (IP or not) to the totals, by interface, direction, IP version and
// protocol, which nothing evicts: the commonest (non-IP, and TCP, UDP, ICMP over IPv4 and IPv6)
// in fixed slots of `totalSlots`, an array element rather than a hash lookup per frame; the
// others, and the frames of an interface other than the one that took the slot on that CPU, in
// `totals`. User space adds the two (probe.ts, totalRows).
//
// The common frames (no VLAN tag in the frame, IPv4 without options and not a later fragment, or
// IPv6 without extension headers; TCP or UDP) are read in place, with no copy: the per-packet
// cost is then a few loads and the map updates. Any other frame, and on egress a GSO packet
// (whose header length is needed) or one whose headers are not in the skb's linear part, goes
// to the general parser: each program copies the frame's first HEADER_BYTES into per-CPU scratch
// memory (bpf_xdp_load_bytes / bpf_skb_load_bytes, which also reach into non-linear skbs) and
// parses the copy, so one subprogram serves both contexts. What is parsed:
//   - up to two VLAN tags (802.1Q / 802.1ad) in the frame; on egress a tag the stack keeps in
//     skb metadata (VLAN offload) counts too. The key holds the outer tag's VLAN id;
//   - IPv4 (options skipped; a fragment other than the first has no ports) and IPv6 with up to
//     four extension headers (hop-by-hop, routing, destination options, fragment, AH);
//   - ports of TCP, UDP, UDP-Lite, SCTP and DCCP; for ICMP and ICMPv6 the type and code go into
//     `dport` as type·256 + code (`sport` 0), as NetFlow and IPFIX do;
//   - a frame cut short before its IP addresses is not IP ("other" in totals); one cut short
//     before its ports keeps ports 0.
// Lengths are frame lengths with the Ethernet header. On egress, a GSO packet (one skb that the
// stack or device cuts into several frames) counts as its segments, with each segment's headers.
import {
  xdp,
  tc,
  RingBuf,
  PerCpuArrayMap,
  PerCpuHashMap,
  LruPerCpuHashMap,
  struct,
  bytes,
  zeroed,
  ktimeGetNs,
  u8,
  u16,
  u32,
  u64,
  be16,
  bool,
  XDP_PASS,
  TC_ACT_UNSPEC,
} from "../../kernel/index.js";

/** Bytes of each frame the parser sees: Ethernet, two VLAN tags, IPv6 and its extension headers, ports. */
const HEADER_BYTES = 192;

/** Set by user space before loading: send one ring buffer record per IP packet. */
export const packetEvents: u32 = 0;
/** Set by user space before loading: count packets and bytes per flow in `flows`. */
export const flowTable: u32 = 0;

/** A flow, as the key of `flows` and inside each packet record. Addresses in network byte order; IPv4 uses the first 4 bytes. */
export class FlowKey extends struct({
  ifindex: u32,
  direction: u8, // 0 ingress (XDP: received), 1 egress (TC: sent)
  family: u8, // 4 or 6; 0 when the frame is not (parseable) IP
  protocol: u8, // IPv4 protocol / IPv6 upper-layer header
  tagged: u8, // 1 when the frame had a VLAN tag
  vlan: u16, // the outer tag's VLAN id
  sport: u16, // source port; 0 when the protocol has none
  dport: u16, // destination port; ICMP/ICMPv6: type * 256 + code
  pad: u16,
  saddr: bytes(16),
  daddr: bytes(16),
}) {}

/** One CPU's share of a flow's (or a total's) traffic. */
export class Traffic extends struct({ packets: u64, bytes: u64 }) {}

/** Key of `totals`: a frame counts here when its total has no slot of its own (see totalSlot). */
export class TotalKey extends struct({ ifindex: u32, direction: u8, family: u8, protocol: u8, pad: u8 }) {}

/** One packet (or one GSO packet's segments) in per-packet mode. */
export class PacketRecord extends struct({
  key: FlowKey,
  packets: u32, // 1, or the segments of a GSO packet
  bytes: u32, // frame length(s) with Ethernet header
  timestamp: u64, // CLOCK_MONOTONIC, ns
}) {}

/** The start of an untagged IPv4 frame, read in place: Ethernet, IPv4 without options, ports. */
export class Ipv4Frame extends struct({
  macs: bytes(12),
  etherType: be16,
  versionIhl: u8,
  tos: u8,
  totalLength: be16,
  id: be16,
  fragment: be16, // flags and fragment offset
  ttl: u8,
  protocol: u8,
  checksum: be16,
  saddr: bytes(4),
  daddr: bytes(4),
  sport: be16,
  dport: be16,
}) {}

/** The start of an untagged IPv6 frame, read in place: Ethernet, the fixed IPv6 header, ports. */
export class Ipv6Frame extends struct({
  macs: bytes(12),
  etherType: be16,
  versionFlow: bytes(4),
  payloadLength: be16,
  nextHeader: u8,
  hopLimit: u8,
  saddr: bytes(16),
  daddr: bytes(16),
  sport: be16,
  dport: be16,
}) {}

/** The parser's input: the frame's first bytes. */
export class Headers extends struct({ data: bytes(HEADER_BYTES) }) {}

/** One CPU's share of a total in a slot: the interface that took the slot (0: free yet) and its traffic. */
export class SlotTraffic extends struct({ ifindex: u32, pad: u32, packets: u64, bytes: u64 }) {}

/** Slots per direction in `totalSlots` (see totalSlot); egress slots follow the ingress ones. */
const SLOTS_PER_DIRECTION = 8;

export const totalSlots = new PerCpuArrayMap({ value: SlotTraffic, maxEntries: 2 * SLOTS_PER_DIRECTION });
export const flows = new LruPerCpuHashMap({ key: FlowKey, value: Traffic, maxEntries: 16384 });
export const totals = new PerCpuHashMap({ key: TotalKey, value: Traffic, maxEntries: 4096 });
export const packets = new RingBuf({ size: 1024 * 1024 });
/** Packet records the ring had no room for (index 0). */
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });
/** Index 0 for XDP, 1 for TC: the two never share one. */
export const scratch = new PerCpuArrayMap({ value: Headers, maxEntries: 2 });

export const ingress = xdp((ctx) => {
  const length: u32 = ctx.len;
  const key = zeroed(FlowKey);
  key.ifindex = ctx.ingressIfindex;
  key.direction = 0;
  let parsed = false;
  const type = ctx.load(be16, 12);
  // null: the frame ends before its EtherType (the general parser below still counts it)
  if (type !== null) {
    if (type === 0x0800) {
      const f = ctx.load(Ipv4Frame, 0);
      if (f !== null) parsed = fromIpv4Frame(f, key);
    } else if (type === 0x86dd) {
      const f = ctx.load(Ipv6Frame, 0);
      if (f !== null) parsed = fromIpv6Frame(f, key);
    }
  }
  if (!parsed && length >= 14) {
    const h = scratch.lookup(0);
    if (h === null) return XDP_PASS;
    const n: u32 = length < HEADER_BYTES ? length : HEADER_BYTES;
    if (ctx.loadBytes(0, h.data, n) === 0) parse(h, n, key);
  }
  account(key, 1, length);
  return XDP_PASS;
});

export const egress = tc(
  (ctx) => {
    const length: u32 = ctx.len;
    const key = zeroed(FlowKey);
    key.ifindex = ctx.ifindex;
    key.direction = 1;
    if (ctx.vlanPresent !== 0) {
      key.tagged = 1;
      key.vlan = ctx.vlanTci & 0xfff;
    }
    let count: u32 = 1;
    let total: u32 = length;
    const segments: u32 = ctx.gsoSegs;
    let parsed = false;
    // A GSO packet counts with its header length, which only the general parser finds.
    if (segments <= 1) {
      const type = ctx.load(be16, 12);
      if (type !== null) {
        if (type === 0x0800) {
          const f = ctx.load(Ipv4Frame, 0);
          if (f !== null) parsed = fromIpv4Frame(f, key);
        } else if (type === 0x86dd) {
          const f = ctx.load(Ipv6Frame, 0);
          if (f !== null) parsed = fromIpv6Frame(f, key);
        }
      }
    }
    if (!parsed && length >= 14) {
      const h = scratch.lookup(1);
      if (h === null) return TC_ACT_UNSPEC;
      const n: u32 = length < HEADER_BYTES ? length : HEADER_BYTES;
      if (ctx.loadBytes(0, h.data, n) === 0) {
        const headerLength = parse(h, n, key);
        if (segments > 1 && headerLength > 0) {
          count = segments;
          total = length + (segments - 1) * headerLength;
        }
      }
    }
    account(key, count, total);
    // TC_ACT_UNSPEC: let the next program on the hook (tcx) or the default action decide.
    return TC_ACT_UNSPEC;
  },
  { direction: "egress" },
);

/**
 * Fills `key` from an IPv4 frame read in place when it is the common case (no options, not a
 * later fragment, TCP or UDP), as parse() would; otherwise leaves `key` alone and returns false.
 * @inline
 */
function fromIpv4Frame(f: Ipv4Frame, key: FlowKey): bool {
  if (f.versionIhl !== 0x45 || (f.fragment & 0x1fff) !== 0) return false;
  const protocol: u32 = f.protocol;
  if (protocol !== 6 && protocol !== 17) return false;
  key.family = 4;
  key.protocol = protocol;
  key.saddr.set(f.saddr);
  key.daddr.set(f.daddr);
  key.sport = f.sport;
  key.dport = f.dport;
  return true;
}

/**
 * Fills `key` from an IPv6 frame read in place when TCP or UDP follows the fixed header, as
 * parse() would; otherwise leaves `key` alone and returns false.
 * @inline
 */
function fromIpv6Frame(f: Ipv6Frame, key: FlowKey): bool {
  const protocol: u32 = f.nextHeader;
  if (protocol !== 6 && protocol !== 17) return false;
  key.family = 6;
  key.protocol = protocol;
  key.saddr = f.saddr;
  key.daddr = f.daddr;
  key.sport = f.sport;
  key.dport = f.dport;
  return true;
}

/** Big-endian u16 at `at` of the copied headers (0 beyond them). */
function be16At(h: Headers, at: u32): u32 {
  return (h.data[at] << 8) | h.data[at + 1];
}

/**
 * Fills `key` from the first `n` bytes of a frame. Returns the length of the headers up to the
 * end of the TCP/UDP header (what each GSO segment repeats), or 0 when the frame is not IP.
 */
function parse(h: Headers, n: u32, key: FlowKey): u32 {
  let type: u32 = be16At(h, 12);
  let l3: u32 = 14;
  for (let i: u32 = 0; i < 2; i++) {
    if (type !== 0x8100 && type !== 0x88a8) break;
    if (l3 + 4 > n) return 0;
    if (key.tagged === 0) {
      key.tagged = 1;
      key.vlan = be16At(h, l3) & 0xfff;
    }
    type = be16At(h, l3 + 2);
    l3 += 4;
  }
  let protocol: u32 = 0;
  let l4: u32 = 0;
  let ports = true;
  if (type === 0x0800) {
    if (l3 + 20 > n) return 0;
    const ihl: u32 = (h.data[l3] & 0xf) * 4;
    if (h.data[l3] >> 4 !== 4 || ihl < 20) return 0;
    key.family = 4;
    protocol = h.data[l3 + 9];
    // A fragment other than the first carries no transport header.
    if ((be16At(h, l3 + 6) & 0x1fff) !== 0) ports = false;
    for (let i: u32 = 0; i < 4; i++) {
      key.saddr[i] = h.data[l3 + 12 + i];
      key.daddr[i] = h.data[l3 + 16 + i];
    }
    l4 = l3 + ihl;
  } else if (type === 0x86dd) {
    if (l3 + 40 > n) return 0;
    key.family = 6;
    protocol = h.data[l3 + 6];
    for (let i: u32 = 0; i < 16; i++) {
      key.saddr[i] = h.data[l3 + 8 + i];
      key.daddr[i] = h.data[l3 + 24 + i];
    }
    l4 = l3 + 40;
    for (let i: u32 = 0; i < 4; i++) {
      if (l4 + 8 > n) break;
      if (protocol === 0 || protocol === 43 || protocol === 60) {
        protocol = h.data[l4];
        l4 += (h.data[l4 + 1] + 1) * 8;
      } else if (protocol === 44) {
        if ((be16At(h, l4 + 2) & 0xfff8) !== 0) ports = false;
        protocol = h.data[l4];
        l4 += 8;
      } else if (protocol === 51) {
        protocol = h.data[l4];
        l4 += (h.data[l4 + 1] + 2) * 4;
      } else {
        break;
      }
    }
  } else {
    return 0;
  }
  key.protocol = protocol;
  let end: u32 = l4;
  if (ports && l4 + 4 <= n) {
    if (protocol === 6 || protocol === 17 || protocol === 136 || protocol === 132 || protocol === 33) {
      key.sport = be16At(h, l4);
      key.dport = be16At(h, l4 + 2);
      if (protocol === 6) end = l4 + (h.data[l4 + 12] >> 4) * 4;
      else if (protocol === 17) end = l4 + 8;
    } else if (protocol === 1 || protocol === 58) {
      key.dport = be16At(h, l4);
    }
  }
  return end;
}

/**
 * The slot of `key`'s total in `totalSlots`, or past the last slot when it has none. Within a
 * direction: 0 not IP; 1, 2, 3 IPv4 TCP, UDP, ICMP; 4, 5, 6 IPv6 TCP, UDP, ICMPv6 (probe.ts reads
 * them back in this order).
 * @inline
 */
function totalSlot(key: FlowKey): u32 {
  const family: u32 = key.family;
  const protocol: u32 = key.protocol;
  let slot: u32 = SLOTS_PER_DIRECTION; // none
  if (family === 0) slot = 0;
  else if (protocol === 6) slot = family === 4 ? 1 : 4;
  else if (protocol === 17) slot = family === 4 ? 2 : 5;
  else if (protocol === 1 && family === 4) slot = 3;
  else if (protocol === 58 && family === 6) slot = 6;
  if (slot === SLOTS_PER_DIRECTION) return 2 * SLOTS_PER_DIRECTION;
  return key.direction * SLOTS_PER_DIRECTION + slot;
}

/** Adds one packet (or GSO packet) to the totals, and to its flow or the ring as configured. */
function account(key: FlowKey, count: u32, length: u32): void {
  // Per CPU, so taking a free slot needs no atomics: programs do not interrupt each other on a CPU.
  const s = totalSlots.lookup(totalSlot(key));
  if (s !== null && (s.ifindex === key.ifindex || s.ifindex === 0)) {
    s.ifindex = key.ifindex;
    s.packets += count;
    s.bytes += length;
  } else {
    const tk: TotalKey = {
      ifindex: key.ifindex,
      direction: key.direction,
      family: key.family,
      protocol: key.protocol,
      pad: 0,
    };
    const t = totals.lookup(tk);
    if (t !== null) {
      t.packets += count;
      t.bytes += length;
    } else {
      totals.update(tk, { packets: count, bytes: length });
    }
  }
  if (key.family === 0) return;
  if (flowTable !== 0) {
    const f = flows.lookup(key);
    if (f !== null) {
      f.packets += count;
      f.bytes += length;
    } else {
      flows.update(key, { packets: count, bytes: length });
    }
  }
  if (packetEvents !== 0) {
    const r = packets.reserve(PacketRecord);
    if (r === null) {
      drops.increment(0);
      return;
    }
    r.key = key;
    r.packets = count;
    r.bytes = length;
    r.timestamp = ktimeGetNs();
    packets.submit(r);
  }
}
