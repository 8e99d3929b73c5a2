// A flow as user space sees it: the kernel's FlowKey (flows.bpf.ts) decoded into addresses as
// text, ports or ICMP type/code, protocol and direction names. Also the fixed offsets of
// FlowKey / PacketRecord, so the per-packet path reads records in place without a codec.
import { ipProtocolName } from "../count/names.js";
import { ipv4Text, ipv6Text } from "../common/addresses.js";

export type Direction = "ingress" | "egress";
export const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

/** One flow: one direction of traffic on one interface between two endpoints. */
export interface Flow {
  interface: string;
  ifindex: number;
  /** "ingress": frames the interface received (XDP); "egress": frames it sent (TC). */
  direction: Direction;
  ipVersion: 4 | 6;
  protocol: number;
  /** "tcp", "udp", "icmp", "icmpv6", … or the protocol number. */
  protocolName: string;
  /** The outer VLAN tag's id, or null when untagged. */
  vlan: number | null;
  saddr: string;
  daddr: string;
  /** Ports of TCP, UDP, UDP-Lite, SCTP, DCCP; null for other protocols. */
  sport: number | null;
  dport: number | null;
  /** ICMP / ICMPv6 type and code; null for other protocols. */
  icmpType: number | null;
  icmpCode: number | null;
}

// FlowKey layout (flows.bpf.ts; checked against the artifact by the tests).
export const KEY = {
  ifindex: 0,
  direction: 4,
  family: 5,
  protocol: 6,
  tagged: 7,
  vlan: 8,
  sport: 10,
  dport: 12,
  saddr: 16,
  daddr: 32,
  size: 48,
} as const;
// PacketRecord layout: the key, then these.
export const RECORD = { packets: 48, bytes: 52, timestamp: 56, size: 64 } as const;

const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);
const ICMP_PROTOCOLS = new Set([1, 58]);

export function hasPorts(protocol: number): boolean {
  return PORT_PROTOCOLS.has(protocol);
}
export function isIcmp(protocol: number): boolean {
  return ICMP_PROTOCOLS.has(protocol);
}

export { ipv4Text, ipv6Text };

/** "TCP", "UDP", "ICMP", "ICMPv6", … (human tables). */
export function protocolLabel(protocol: number): string {
  if (protocol === 58) return "ICMPv6";
  const name = ipProtocolName(protocol);
  return name === String(protocol) ? name : name.toUpperCase();
}

/** FlowKey as the map's codec decodes it. */
export interface FlowKeyFields {
  ifindex: number;
  direction: number;
  family: number;
  protocol: number;
  tagged: number;
  vlan: number;
  sport: number;
  dport: number;
  saddr: Uint8Array;
  daddr: Uint8Array;
}

/** A Flow from a decoded FlowKey; `names` maps ifindexes to interface names. */
export function flowFromKey(k: FlowKeyFields, names: ReadonlyMap<number, string>): Flow {
  return makeFlow(
    k.ifindex,
    k.direction,
    k.family,
    k.protocol,
    k.tagged,
    k.vlan,
    k.sport,
    k.dport,
    k.saddr,
    0,
    k.daddr,
    0,
    names,
  );
}

/** A Flow from a FlowKey in place at `offset` of `view`/`bytes` (a ring record). */
export function decodeFlow(
  view: DataView,
  bytes: Uint8Array,
  offset: number,
  names: ReadonlyMap<number, string>,
): Flow {
  return makeFlow(
    view.getUint32(offset + KEY.ifindex, true),
    bytes[offset + KEY.direction]!,
    bytes[offset + KEY.family]!,
    bytes[offset + KEY.protocol]!,
    bytes[offset + KEY.tagged]!,
    view.getUint16(offset + KEY.vlan, true),
    view.getUint16(offset + KEY.sport, true),
    view.getUint16(offset + KEY.dport, true),
    bytes,
    offset + KEY.saddr,
    bytes,
    offset + KEY.daddr,
    names,
  );
}

function makeFlow(
  ifindex: number,
  direction: number,
  family: number,
  protocol: number,
  tagged: number,
  vlan: number,
  sport: number,
  dport: number,
  saddr: Uint8Array,
  saddrAt: number,
  daddr: Uint8Array,
  daddrAt: number,
  names: ReadonlyMap<number, string>,
): Flow {
  const ports = hasPorts(protocol),
    icmp = isIcmp(protocol);
  const v6 = family === 6;
  return {
    interface: names.get(ifindex) ?? `ifindex ${ifindex}`,
    ifindex,
    direction: direction === 1 ? "egress" : "ingress",
    ipVersion: v6 ? 6 : 4,
    protocol,
    protocolName: ipProtocolName(protocol),
    vlan: tagged ? vlan : null,
    saddr: v6 ? ipv6Text(saddr, saddrAt) : ipv4Text(saddr, saddrAt),
    daddr: v6 ? ipv6Text(daddr, daddrAt) : ipv4Text(daddr, daddrAt),
    sport: ports ? sport : null,
    dport: ports ? dport : null,
    icmpType: icmp ? dport >> 8 : null,
    icmpCode: icmp ? dport & 0xff : null,
  };
}

/** The port column's text: the port, "type/code" (ICMP, in the D-Port column), or "-". */
export function sourcePortText(flow: Flow): string {
  return flow.sport === null ? "-" : String(flow.sport);
}
export function destinationPortText(flow: Flow): string {
  if (flow.icmpType !== null) return `${flow.icmpType}/${flow.icmpCode}`;
  return flow.dport === null ? "-" : String(flow.dport);
}

/** A string that identifies the flow (for matching it across snapshots). */
export function flowId(flow: Flow): string {
  return `${flow.ifindex}|${flow.direction}|${flow.vlan}|${flow.ipVersion}|${flow.protocol}|${flow.saddr}|${flow.sport}|${flow.daddr}|${flow.dport}|${flow.icmpType}|${flow.icmpCode}`;
}

/** Flow fields in snake_case for NDJSON. */
export function flowJson(flow: Flow): Record<string, unknown> {
  return {
    interface: flow.interface,
    direction: flow.direction,
    ip_version: flow.ipVersion,
    protocol: flow.protocol,
    protocol_name: flow.protocolName,
    vlan: flow.vlan,
    saddr: flow.saddr,
    sport: flow.sport,
    daddr: flow.daddr,
    dport: flow.dport,
    icmp_type: flow.icmpType,
    icmp_code: flow.icmpCode,
  };
}
