// sFlow version 5 as tcpdump prints it without -v: "sFlowv5, IPv4 agent 10.0.0.1, agent-id 1,
// length 1016", and with -v the samples and their counter and flow records.

import { be32, be64, check, printInvalidRest, u8, type PrintContext } from "./context.js";
import { ipv4String, ipv6String } from "./addr.js";
import { printUnknownData } from "./unknown.js";

const V4_HEADER_LENGTH = 28;
const V6_HEADER_LENGTH = 40;

export function sflowPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "sflow";
  const ipVersion = be32(c, at + 4);
  if ((length < V4_HEADER_LENGTH && ipVersion === 1) || (length < V6_HEADER_LENGTH && ipVersion === 2)) {
    // tcpdump names the IPv4 header's size either way.
    c.out += "sFlowv" + be32(c, at) + " [length " + length + " < " + V4_HEADER_LENGTH + "] (invalid)";
    return;
  }
  check(c, at, V4_HEADER_LENGTH);
  const version = be32(c, at);
  if (version !== 5) {
    c.out += "sFlow version " + version + " packet not supported";
    return;
  }
  const v4 = ipVersion === 1;
  if (c.flags.verbose) {
    verbosePrint(c, at, length, v4);
    return;
  }
  c.out +=
    "sFlowv5, " +
    (v4 ? "IPv4" : "IPv6") +
    " agent " +
    (v4 ? ipv4String(c, at + 8) : ipv6String(c, at + 8)) +
    ", agent-id " +
    be32(c, v4 ? at + 12 : at + 24) +
    ", length " +
    length;
}

const SAMPLE_NAMES = ["Unknown", "flow sample", "counter sample", "expanded flow sample", "expanded counter sample"];
const COUNTER_NAMES = new Map([
  [1, "Generic counter"],
  [2, "Ethernet counter"],
  [3, "Token ring counter"],
  [4, "100 BaseVG counter"],
  [5, "Vlan counter"],
  [1001, "Processor counter"],
]);
const FLOW_NAMES = new Map([
  [1, "Raw packet"],
  [2, "Ethernet frame"],
  [3, "IPv4 Data"],
  [4, "IPv6 Data"],
  [1001, "Extended Switch data"],
  [1002, "Extended Router data"],
  [1003, "Extended Gateway data"],
  [1004, "Extended User data"],
  [1005, "Extended URL data"],
  [1006, "Extended MPLS data"],
  [1007, "Extended NAT data"],
  [1008, "Extended MPLS tunnel"],
  [1009, "Extended MPLS VC"],
  [1010, "Extended MPLS FEC"],
  [1011, "Extended MPLS LVP FEC"],
  [1012, "Extended VLAN Tunnel"],
]);
const RAW_PROTOCOLS = new Map([
  [1, "Ethernet"],
  [11, "IPv4"],
  [12, "IPv6"],
]);
const DIRECTIONS = ["unknown", "full-duplex", "half-duplex", "in", "out"];
const SAMPLE_HEADER_LENGTH = 8;
const RECORD_HEADER_LENGTH = 8;

function be24(c: PrintContext, at: number): number {
  return (u8(c, at) << 16) | (u8(c, at + 1) << 8) | u8(c, at + 2);
}

function verbosePrint(c: PrintContext, at: number, length: number, v4: boolean): void {
  const headerLength = v4 ? V4_HEADER_LENGTH : V6_HEADER_LENGTH;
  const fields = v4 ? at + 12 : at + 24;
  const samples = be32(c, fields + 12);
  c.out +=
    "sFlowv5, " +
    (v4 ? "IPv4 agent " + ipv4String(c, at + 8) : "IPv6 agent " + ipv6String(c, at + 8)) +
    ", agent-id " +
    be32(c, fields) +
    ", seqnum " +
    be32(c, fields + 4) +
    ", uptime " +
    be32(c, fields + 8) +
    ", samples " +
    samples +
    ", length " +
    length;
  let p = at + headerLength;
  let left = length - headerLength;
  for (let n = samples; n > 0 && left > 0; n--) {
    const type = be32(c, p) & 0x0fff;
    const sampleLength = be32(c, p + 4);
    if (left < SAMPLE_HEADER_LENGTH) return printInvalidRest(c, p, left);
    p += SAMPLE_HEADER_LENGTH;
    left -= SAMPLE_HEADER_LENGTH;
    c.out += "\n\t" + (SAMPLE_NAMES[type] ?? "Unknown") + " (" + type + "), length " + sampleLength + ",";
    // A zero type or length would never advance.
    if (type === 0 || sampleLength === 0) return;
    if (left < sampleLength) return printInvalidRest(c, p, left);
    check(c, p, sampleLength);
    let failed = false;
    if (type === 1) failed = flowSamplePrint(c, p, left, false);
    else if (type === 2) failed = counterSamplePrint(c, p, left, false);
    else if (type === 3) failed = flowSamplePrint(c, p, left, true);
    else if (type === 4) failed = counterSamplePrint(c, p, left, true);
    else if (c.flags.verbose <= 1) printUnknownData(c, p, "\n\t    ", sampleLength);
    if (failed) return printInvalidRest(c, p, left);
    p += sampleLength;
    left -= sampleLength;
  }
}

/** A (possibly expanded) flow sample and its records; true when it does not fit. */
function flowSamplePrint(c: PrintContext, at: number, len: number, expanded: boolean): boolean {
  const size = expanded ? 44 : 32;
  if (len < size) return true;
  const records = be32(c, at + size - 4);
  if (expanded) {
    c.out +=
      " seqnum " +
      be32(c, at) +
      ", type " +
      be32(c, at + 4) +
      ", idx " +
      be32(c, at + 8) +
      ", rate " +
      be32(c, at + 12) +
      ", pool " +
      be32(c, at + 16) +
      ", drops " +
      be32(c, at + 20) +
      ", records " +
      records;
  } else {
    c.out +=
      " seqnum " +
      be32(c, at) +
      ", type " +
      u8(c, at + 4) +
      ", idx " +
      be24(c, at + 5) +
      ", rate " +
      be32(c, at + 8) +
      ", pool " +
      be32(c, at + 12) +
      ", drops " +
      be32(c, at + 16) +
      ", input " +
      be32(c, at + 20) +
      " output " +
      be32(c, at + 24) +
      " records " +
      records;
  }
  let p = at + size;
  let left = len - size;
  for (let n = records; n > 0; n--) {
    if (left < RECORD_HEADER_LENGTH) return true;
    const format = be32(c, p);
    const type = format & 0x0fff;
    const enterprise = format >>> 12;
    const recordLength = be32(c, p + 4);
    c.out +=
      "\n\t    enterprise " +
      enterprise +
      " " +
      (enterprise === 0 ? (FLOW_NAMES.get(type) ?? "Unknown") : "Unknown") +
      " (" +
      type +
      ") length " +
      recordLength;
    p += RECORD_HEADER_LENGTH;
    left -= RECORD_HEADER_LENGTH;
    if (left < recordLength) return true;
    if (enterprise === 0) {
      if (type === 1) {
        if (left < 16) return true;
        const protocol = be32(c, p);
        c.out +=
          "\n\t      protocol " +
          (RAW_PROTOCOLS.get(protocol) ?? "Unknown") +
          " (" +
          protocol +
          "), length " +
          be32(c, p + 4) +
          ", stripped bytes " +
          be32(c, p + 8) +
          ", header_size " +
          be32(c, p + 12);
      } else if (type === 1001) {
        if (left < 16) return true;
        c.out +=
          "\n\t      src vlan " +
          be32(c, p) +
          ", src pri " +
          be32(c, p + 4) +
          ", dst vlan " +
          be32(c, p + 8) +
          ", dst pri " +
          be32(c, p + 12);
      } else if (type === 2) {
        if (left < 24) return true;
        c.out += "\n\t      frame len " + be32(c, p) + ", type " + be32(c, p + 20);
      } else if (!FLOW_NAMES.has(type) && c.flags.verbose <= 1) {
        printUnknownData(c, p, "\n\t\t", recordLength);
      }
    }
    p += recordLength;
    left -= recordLength;
  }
  return false;
}

/** A (possibly expanded) counter sample and its records; true when it does not fit. */
function counterSamplePrint(c: PrintContext, at: number, len: number, expanded: boolean): boolean {
  const size = expanded ? 16 : 12;
  if (len < size) return true;
  const records = be32(c, at + size - 4);
  c.out +=
    " seqnum " +
    be32(c, at) +
    ", type " +
    (expanded ? be32(c, at + 4) : u8(c, at + 4)) +
    ", idx " +
    (expanded ? be32(c, at + 8) : be24(c, at + 5)) +
    ", records " +
    records;
  let p = at + size;
  let left = len - size;
  for (let n = records; n > 0; n--) {
    if (left < RECORD_HEADER_LENGTH) return true;
    const format = be32(c, p);
    const type = format & 0x0fff;
    const enterprise = format >>> 20;
    const recordLength = be32(c, p + 4);
    c.out +=
      "\n\t    enterprise " +
      enterprise +
      ", " +
      (enterprise === 0 ? (COUNTER_NAMES.get(type) ?? "Unknown") : "Unknown") +
      " (" +
      type +
      ") length " +
      recordLength;
    p += RECORD_HEADER_LENGTH;
    left -= RECORD_HEADER_LENGTH;
    if (left < recordLength) return true;
    if (enterprise === 0 && counterRecordPrint(c, type, p, left, recordLength)) return true;
    p += recordLength;
    left -= recordLength;
  }
  return false;
}

/** One counter record; true when the rest of the sample is too short for it. */
function counterRecordPrint(c: PrintContext, type: number, p: number, left: number, recordLength: number): boolean {
  // Each statement appends one of tcpdump's print calls whole.
  switch (type) {
    case 1: {
      if (left < 88) return true;
      const direction = be32(c, p + 16);
      c.out +=
        "\n\t      ifindex " +
        be32(c, p) +
        ", iftype " +
        be32(c, p + 4) +
        ", ifspeed " +
        be64(c, p + 8) +
        ", ifdirection " +
        direction +
        " (" +
        (DIRECTIONS[direction] ?? "Unknown") +
        ")";
      const status = be32(c, p + 20);
      c.out +=
        "\n\t      ifstatus " +
        status +
        ", adminstatus: " +
        (status & 1 ? "up" : "down") +
        ", operstatus: " +
        ((status >>> 1) & 1 ? "up" : "down");
      c.out += "\n\t      In octets " + be64(c, p + 24) + packets(c, p + 32);
      c.out += "\n\t      In errors " + be32(c, p + 48) + ", unknown protos " + be32(c, p + 52);
      c.out += "\n\t      Out octets " + be64(c, p + 56) + packets(c, p + 64);
      c.out += "\n\t      Out errors " + be32(c, p + 80) + ", promisc mode " + be32(c, p + 84);
      return false;
    }
    case 2:
      if (left < 52) return true;
      c.out +=
        "\n\t      align errors " +
        be32(c, p) +
        ", fcs errors " +
        be32(c, p + 4) +
        ", single collision " +
        be32(c, p + 8) +
        ", multiple collision " +
        be32(c, p + 12) +
        ", test error " +
        be32(c, p + 16);
      c.out +=
        "\n\t      deferred " +
        be32(c, p + 20) +
        ", late collision " +
        be32(c, p + 24) +
        ", excessive collision " +
        be32(c, p + 28) +
        ", mac trans error " +
        be32(c, p + 32);
      c.out +=
        "\n\t      carrier error " +
        be32(c, p + 36) +
        ", frames too long " +
        be32(c, p + 40) +
        ", mac receive errors " +
        be32(c, p + 44) +
        ", symbol errors " +
        be32(c, p + 48);
      return false;
    case 3:
      return false;
    case 4:
      if (left < 80) return true;
      c.out += "\n\t      in high prio frames " + be32(c, p) + ", in high prio octets " + be64(c, p + 4);
      c.out += "\n\t      in norm prio frames " + be32(c, p + 12) + ", in norm prio octets " + be64(c, p + 16);
      c.out +=
        "\n\t      in ipm errors " +
        be32(c, p + 24) +
        ", oversized " +
        be32(c, p + 28) +
        ", in data errors " +
        be32(c, p + 32) +
        ", null addressed frames " +
        be32(c, p + 36);
      c.out +=
        "\n\t      out high prio frames " +
        be32(c, p + 40) +
        ", out high prio octets " +
        be64(c, p + 44) +
        ", trans into frames " +
        be32(c, p + 52);
      c.out +=
        "\n\t      in hc high prio octets " +
        be64(c, p + 56) +
        ", in hc norm prio octets " +
        be64(c, p + 64) +
        ", out hc high prio octets " +
        be64(c, p + 72);
      return false;
    case 5:
      if (left < 28) return true;
      c.out +=
        "\n\t      vlan_id " +
        be32(c, p) +
        ", octets " +
        be64(c, p + 4) +
        ", unicast_pkt " +
        be32(c, p + 12) +
        ", multicast_pkt " +
        be32(c, p + 16) +
        ", broadcast_pkt " +
        be32(c, p + 20) +
        ", discards " +
        be32(c, p + 24);
      return false;
    case 1001:
      if (left < 28) return true;
      // tcpdump labels the free memory "total_mem" too.
      c.out +=
        "\n\t      5sec " +
        be32(c, p) +
        ", 1min " +
        be32(c, p + 4) +
        ", 5min " +
        be32(c, p + 8) +
        ", total_mem " +
        be64(c, p + 12) +
        ", total_mem " +
        be64(c, p + 20);
      return false;
    default:
      if (c.flags.verbose <= 1) printUnknownData(c, p, "\n\t\t", recordLength);
      return false;
  }
}

function packets(c: PrintContext, at: number): string {
  return (
    ", unicast pkts " +
    be32(c, at) +
    ", multicast pkts " +
    be32(c, at + 4) +
    ", broadcast pkts " +
    be32(c, at + 8) +
    ", discards " +
    be32(c, at + 12)
  );
}
