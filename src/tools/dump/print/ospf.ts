// OSPFv2 (RFC 2328) and OSPFv3 (RFC 5340) as tcpdump prints them: "OSPFv2, Hello, length 44"
// without -v. With -v OSPFv2 shows the router and area, the authentication, then the packet:
// hello, database description, LS requests, updates with each LSA decoded (router, network,
// summary, external, NSSA, multicast group, and the opaque traffic-engineering, graceful-restart
// and router-information LSAs), acks, and the LLS block after the packet (RFC 5613); -vv adds hex
// dumps of the LSAs. OSPFv3 at -v shows the router, area and instance and the hello or database
// description fields; -vv adds the neighbor list, LSA headers, requests and the LSAs of updates
// (router, network, inter-area prefix, external, link, intra-area prefix, grace, TE), then the
// LLS and authentication trailer after the packet (RFC 5613, RFC 6506).
//
// For OSPFv2 a read past the captured data unwinds with " [|ospf2]", as tcpdump's does; OSPFv3
// ends the line with " [|ospf3]" and returns. An LSA or TLV whose lengths do not add up ends
// that LSA with tcpdump's message instead.

import { be16, be32, has, TRUNCATED, u8, type PrintContext } from "./context.js";
import { hex4, ipv4String, ipv6FromBytes, ipv6String } from "./addr.js";
import { printPaddedText, printUnknownData } from "./unknown.js";
import { flagNames, GMPLS_LINK_PROTECTIONS, GMPLS_LSP_ENCODINGS, GMPLS_SWITCH_CAPABILITIES } from "./names.js";

const TYPES = ["", "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack"];
const AUTH_MD5 = 2;
/** The MD5 digest trailing an OSPFv2 packet, which tcpdump leaves out of the length. */
const MD5_LENGTH = 16;

function typeName(type: number): string | undefined {
  return type >= 1 && type <= 5 ? TYPES[type] : undefined;
}

/** OSPF over IPv4. */
export function ospfPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "ospf2";
  if (be16(c, at + 14) === AUTH_MD5) {
    length = (length - MD5_LENGTH) >>> 0;
    // The digest is no part of what is decoded.
    c.snapend -= MD5_LENGTH;
  }
  const type = u8(c, at + 1);
  const name = typeName(type);
  c.out += "OSPFv" + u8(c, at) + ", " + (name ?? "unknown LS-type " + type) + ", length " + length;
  if (name === undefined || !c.flags.verbose) return;
  ospfVerbosePrint(c, at, length);
}

/** OSPF over IPv6. */
export function ospf6Print(c: PrintContext, at: number, length: number): void {
  c.protocol = "ospf3";
  const type = u8(c, at + 1);
  const name = typeName(type);
  c.out += "OSPFv" + u8(c, at) + ", " + (name ?? "unknown packet type (" + type + ")") + ", length " + length;
  if (name === undefined || !c.flags.verbose) return;
  ospf6VerbosePrint(c, at, length);
}

const OPTIONS: [number, string][] = [
  [0x01, "MultiTopology"],
  [0x02, "External"],
  [0x04, "Multicast"],
  [0x08, "NSSA"],
  [0x10, "LLS"],
  [0x20, "Demand Circuit"],
  [0x40, "Opaque"],
  [0x80, "Up/Down"],
];
const OPTION_LLS = 0x10;
const AUTH_TYPES = ["none", "simple", "MD5"];
const AUTH_NONE = 0;
const AUTH_SIMPLE = 1;
const ROUTER_LSA_FLAGS: [number, string][] = [
  [0x01, "ABR"],
  [0x02, "ASBR"],
  [0x04, "Virtual"],
  [0x08, "Wildcard"],
  [0x10, "Nt"],
  [0x80, "Host"],
];
const DD_FLAGS: [number, string][] = [
  [0x04, "Init"],
  [0x02, "More"],
  [0x01, "Master"],
  [0x08, "OOBResync"],
];
const LSA_TYPES = new Map([
  [1, "Router"],
  [2, "Network"],
  [3, "Summary"],
  [4, "ASBR Summary"],
  [5, "External"],
  [6, "Multicast Group"],
  [7, "NSSA"],
  [9, "Link Local Opaque"],
  [10, "Area Local Opaque"],
  [11, "Domain Wide Opaque"],
]);
const OPAQUE_TYPES = ["", "Traffic Engineering", "", "Graceful restart", "Router Information"];
const OPAQUE_TE = 1;
const OPAQUE_GRACE = 3;
const OPAQUE_RI = 4;
const TOPOLOGIES = ["default", "multicast", "management"];
const RI_CAPABILITIES: [number, string][] = [
  [1, "Reserved"],
  [2, "Reserved"],
  [4, "Reserved"],
  [8, "Reserved"],
  [16, "graceful restart capable"],
  [32, "graceful restart helper"],
  [64, "Stub router support"],
  [128, "Traffic engineering"],
  [256, "p2p over LAN"],
  [512, "path computation server"],
];
const GRACE_TLVS = ["", "Grace Period", "Graceful restart Reason", "IPv4 interface address"];
const GRACE_REASONS = ["Unknown", "Software Restart", "Software Reload/Upgrade", "Control Processor Switch"];
const TE_TLVS = ["", "Router Address", "Link"];
const TE_LINK_SUBTLVS = new Map([
  [1, "Link Type"],
  [2, "Link ID"],
  [3, "Local Interface IP address"],
  [4, "Remote Interface IP address"],
  [5, "Traffic Engineering Metric"],
  [6, "Maximum Bandwidth"],
  [7, "Maximum Reservable Bandwidth"],
  [8, "Unreserved Bandwidth"],
  [9, "Administrative Group"],
  [11, "Link Local/Remote Identifier"],
  [14, "Link Protection Type"],
  [15, "Interface Switching Capability"],
  [16, "Shared Risk Link Group"],
  [17, "Bandwidth Constraints"],
]);
const TE_LINK_TYPES = ["", "Point-to-point", "Multi-Access"];
/** Diffserv-aware TE bandwidth constraint models (RFC 4124). */
const BC_MODELS = new Map([
  [0, "Russian dolls"],
  [1, "Maximum allocation"],
  [254, "Maximum allocation with E-LSP support"],
]);
const LLS_EXTENDED_OPTIONS = 1;
const LLS_MD5 = 2;
const LLS_OPTIONS: [number, string][] = [
  [1, "LSDB resync"],
  [2, "Restart"],
];

const HEADER_LENGTH = 24;
const LSA_HEADER_LENGTH = 20;

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

/** tcpdump's hex dump of undecoded data; false when the data starts past the captured end. */
function unknownData(c: PrintContext, at: number, indent: string, length: number): boolean {
  printUnknownData(c, at, indent, length);
  return at <= c.snapend;
}

/** A bandwidth (IEEE float bytes per second) in Mbps, computed in single precision as tcpdump does. */
function mbps(c: PrintContext, at: number): string {
  be32(c, at);
  const bytes = c.view.getFloat32(c.base + at);
  return Math.fround(Math.fround(bytes * 8) / 1000000).toFixed(3);
}

function ospfVerbosePrint(c: PrintContext, at: number, length: number): void {
  const packetLength = be16(c, at + 2);
  if (length !== packetLength) c.out += " [len " + packetLength + "]";
  const dataEnd = at + (length > packetLength ? packetLength : length);
  c.out += "\n\tRouter-ID " + ipv4String(c, at + 4);
  c.out += be32(c, at + 8) !== 0 ? ", Area " + ipv4String(c, at + 8) : ", Backbone Area";
  if (!has(c, at + 16, 8)) throw TRUNCATED;
  const authType = be16(c, at + 14);
  c.out += ", Authentication Type: " + (AUTH_TYPES[authType] ?? "unknown") + " (" + authType + ")";
  if (authType === AUTH_SIMPLE) {
    c.out += "\n\tSimple text password: ";
    printPaddedText(c, at + 16, 8);
  } else if (authType === AUTH_MD5) {
    c.out +=
      "\n\tKey-ID: " +
      u8(c, at + 18) +
      ", Auth-Length: " +
      u8(c, at + 19) +
      ", Crypto Sequence Number: 0x" +
      hex8(be32(c, at + 20));
  } else if (authType !== AUTH_NONE) return;
  const version = u8(c, at);
  if (version !== 2) {
    c.out += " ospf [version " + version + "]";
    return;
  }
  v2Print(c, at, dataEnd);
  if (length > packetLength) llsPrint(c, at, length);
}

function v2Print(c: PrintContext, at: number, dataEnd: number): void {
  const body = at + HEADER_LENGTH;
  switch (u8(c, at + 1)) {
    case 1: {
      c.out += "\n\tOptions [" + flagNames(OPTIONS, u8(c, body + 6)) + "]";
      c.out +=
        "\n\t  Hello Timer " +
        be16(c, body + 4) +
        "s, Dead Timer " +
        be32(c, body + 8) +
        "s, Mask " +
        ipv4String(c, body) +
        ", Priority " +
        u8(c, body + 7);
      if (be32(c, body + 12) !== 0) c.out += "\n\t  Designated Router " + ipv4String(c, body + 12);
      if (be32(c, body + 16) !== 0) c.out += ", Backup Designated Router " + ipv4String(c, body + 16);
      let p = body + 20;
      if (p < dataEnd) c.out += "\n\t  Neighbor List:";
      for (; p < dataEnd; p += 4) c.out += "\n\t    " + ipv4String(c, p);
      return;
    }
    case 2: {
      c.out += "\n\tOptions [" + flagNames(OPTIONS, u8(c, body + 2)) + "]";
      c.out += ", DD Flags [" + flagNames(DD_FLAGS, u8(c, body + 3)) + "]";
      const mtu = be16(c, body);
      if (mtu) c.out += ", MTU: " + mtu;
      c.out += ", Sequence: 0x" + hex8(be32(c, body + 4));
      for (let p = body + 8; p < dataEnd && lsaHeaderPrint(c, p) !== -1; p += LSA_HEADER_LENGTH);
      return;
    }
    case 3:
      for (let p = body; p < dataEnd; p += 12) {
        if (!has(c, p, 12)) throw TRUNCATED;
        const type = be32(c, p);
        c.out +=
          "\n\t  Advertising Router: " +
          ipv4String(c, p + 8) +
          ", " +
          (LSA_TYPES.get(type) ?? "unknown") +
          " LSA (" +
          type +
          ")";
        if (type >= 9 && type <= 11) {
          const opaque = u8(c, p + 4);
          c.out +=
            ", Opaque-Type: " +
            (OPAQUE_TYPES[opaque] || "unknown") +
            " LSA (" +
            opaque +
            "), Opaque-ID: " +
            ((u8(c, p + 5) << 16) | be16(c, p + 6));
        } else c.out += ", LSA-ID: " + ipv4String(c, p + 4);
      }
      return;
    case 4: {
      const count = be32(c, body);
      c.out += ", " + count + " LSA" + (count === 1 ? "" : "s");
      let p = body + 4;
      for (let i = 1; i <= count; i++) {
        c.out += "\n\t  LSA #" + i;
        const next = lsaPrint(c, p);
        if (next < 0) throw TRUNCATED;
        p = next;
      }
      return;
    }
    case 5:
      // tcpdump reads LSA headers until one is bogus or runs past the captured data.
      for (let p = body; lsaHeaderPrint(c, p) !== -1; p += LSA_HEADER_LENGTH);
      return;
  }
}

/** An LSA header; returns the LSA's length, or -1 when it is shorter than the header. */
function lsaHeaderPrint(c: PrintContext, p: number): number {
  const length = be16(c, p + 18);
  if (length < LSA_HEADER_LENGTH) {
    c.out += "\n\t    Bogus length " + length + " < header (" + LSA_HEADER_LENGTH + ")";
    return -1;
  }
  c.out +=
    "\n\t  Advertising Router " +
    ipv4String(c, p + 8) +
    ", seq 0x" +
    hex8(be32(c, p + 12)) +
    ", age " +
    be16(c, p) +
    "s, length " +
    (length - LSA_HEADER_LENGTH);
  const type = u8(c, p + 3);
  const typeName = LSA_TYPES.get(type) ?? "unknown";
  if (type >= 9 && type <= 11) {
    const opaque = u8(c, p + 4);
    c.out +=
      "\n\t    " +
      typeName +
      " LSA (" +
      type +
      "), Opaque-Type " +
      (OPAQUE_TYPES[opaque] || "unknown") +
      " LSA (" +
      opaque +
      "), Opaque-ID " +
      ((u8(c, p + 5) << 16) | be16(c, p + 6));
  } else c.out += "\n\t    " + typeName + " LSA (" + type + "), LSA-ID: " + ipv4String(c, p + 4);
  c.out += "\n\t    Options: [" + flagNames(OPTIONS, u8(c, p + 2)) + "]";
  return length;
}

/** The metrics of a router LSA link: its own, then one per TOS/topology. */
function tosMetricsPrint(c: PrintContext, p: number): void {
  let count = u8(c, p + 1) + 1;
  for (let i = 0; count !== 0; i++, count--, p += 4) {
    const type = u8(c, p);
    const topology = i ? type : 0;
    c.out += "\n\t\ttopology " + (TOPOLOGIES[topology] ?? "Unknown") + " (" + topology + "), metric " + be16(c, p + 2);
  }
}

/** One LSA; returns where the next starts, or -1 when its header is bogus or cut short. */
function lsaPrint(c: PrintContext, lsa: number): number {
  const headerLength = lsaHeaderPrint(c, lsa);
  if (headerLength < 0) return -1;
  const end = lsa + headerLength;
  const length = headerLength - LSA_HEADER_LENGTH;
  const body = lsa + LSA_HEADER_LENGTH;
  switch (u8(c, lsa + 3)) {
    case 1: {
      c.out += "\n\t    Router LSA Options: [" + flagNames(ROUTER_LSA_FLAGS, u8(c, body)) + "]";
      const links = be16(c, body + 2);
      if (!has(c, body + 4, 12)) return -1;
      let p = body + 4;
      for (let i = links; i !== 0; i--) {
        if (!has(c, p, 12)) return -1;
        const type = u8(c, p + 8);
        const id = ipv4String(c, p);
        const data = ipv4String(c, p + 4);
        switch (type) {
          case 4:
            c.out += "\n\t      Virtual Link: Neighbor Router-ID: " + id + ", Interface Address: " + data;
            break;
          case 1:
            c.out += "\n\t      Neighbor Router-ID: " + id + ", Interface Address: " + data;
            break;
          case 2:
            c.out += "\n\t      Neighbor Network-ID: " + id + ", Interface Address: " + data;
            break;
          case 3:
            c.out += "\n\t      Stub Network: " + id + ", Mask: " + data;
            break;
          default:
            c.out += "\n\t      Unknown Router Link Type (" + type + ")";
            return end;
        }
        tosMetricsPrint(c, p + 8);
        p += 12 + u8(c, p + 9) * 4;
      }
      break;
    }
    case 2:
      c.out += "\n\t    Mask " + ipv4String(c, body) + "\n\t    Connected Routers:";
      for (let p = body + 4; p < end; p += 4) c.out += "\n\t      " + ipv4String(c, p);
      break;
    case 3:
    case 4: {
      if (u8(c, lsa + 3) === 3) {
        if (!has(c, body, 4)) return -1;
        c.out += "\n\t    Mask " + ipv4String(c, body);
      }
      if (!has(c, body + 4, 4)) return -1;
      for (let p = body + 4; p < end; p += 4) {
        const v = be32(c, p);
        const topology = (v & 0x7f000000) >>> 24;
        c.out +=
          "\n\t\ttopology " + (TOPOLOGIES[topology] ?? "Unknown") + " (" + topology + ") metric " + (v & 0xffffff);
      }
      break;
    }
    case 5:
    case 7: {
      if (!has(c, body, 4)) return -1;
      c.out += "\n\t    Mask " + ipv4String(c, body);
      if (!has(c, body + 4, 4)) return -1;
      for (let p = body + 4; p < end; p += 12) {
        const v = be32(c, p);
        const topology = (v & 0x7f000000) >>> 24;
        c.out +=
          "\n\t\ttopology " +
          (TOPOLOGIES[topology] ?? "Unknown") +
          " (" +
          topology +
          "), type " +
          (v & 0x80000000 ? 2 : 1) +
          ", metric";
        c.out += (v & 0xffffff) === 0xffffff ? " infinite" : " " + (v & 0xffffff);
        if (be32(c, p + 4) !== 0) c.out += ", forward " + ipv4String(c, p + 4);
        if (be32(c, p + 8) !== 0) c.out += ", tag " + ipv4String(c, p + 8);
      }
      break;
    }
    case 6:
      for (let p = body; p < end; p += 8) {
        const vertex = be32(c, p);
        if (vertex === 1) c.out += "\n\t    Router Router-ID " + ipv4String(c, p + 4);
        else if (vertex === 2) c.out += "\n\t    Network Designated Router " + ipv4String(c, p + 4);
        else c.out += "\n\t    unknown VertexType (" + vertex + ")";
      }
      break;
    case 9:
    case 10:
    case 11:
      switch (u8(c, lsa + 4)) {
        case OPAQUE_RI:
          if (!routerInformationPrint(c, body, length)) return end;
          break;
        case OPAQUE_GRACE:
          if (graceLsaPrint(c, body, length) < 0) return end;
          break;
        case OPAQUE_TE:
          if (teLsaPrint(c, body, length) < 0) return end;
          break;
        default:
          if (c.flags.verbose <= 1 && !unknownData(c, body, "\n\t    ", length)) return end;
      }
      break;
  }
  if (c.flags.verbose > 1 && !unknownData(c, body, "\n\t    ", length)) return end;
  return end;
}

/** Router information TLVs (RFC 4970); false when tcpdump stops at a bogus length. */
function routerInformationPrint(c: PrintContext, p: number, left: number): boolean {
  while (left !== 0) {
    if (!has(c, p, 4)) throw TRUNCATED;
    if (left < 4) {
      c.out += "\n\t    Remaining LS length " + left + " < 4";
      return false;
    }
    const type = be16(c, p);
    const len = be16(c, p + 2);
    p += 4;
    left -= 4;
    c.out +=
      "\n\t    " +
      (type === 1 ? "Router Capabilities" : "unknown") +
      " TLV (" +
      type +
      "), length: " +
      len +
      ", value: ";
    if (len > left) {
      c.out += "\n\t    Bogus length " + len + " > remaining LS length " + left;
      return false;
    }
    if (!has(c, p, len)) throw TRUNCATED;
    if (type === 1) {
      if (len !== 4) {
        c.out += "\n\t    Bogus length " + len + " != 4";
        return false;
      }
      c.out += "Capabilities: " + flagNames(RI_CAPABILITIES, be32(c, p), "Unknown");
    } else if (c.flags.verbose <= 1 && !unknownData(c, p, "\n\t      ", len)) return false;
    p += len;
    left -= len;
  }
  return true;
}

/** Grace LSA TLVs (RFC 3623); -1 when tcpdump stops at a bogus length or a short capture. */
function graceLsaPrint(c: PrintContext, p: number, left: number): number {
  while (left > 0) {
    if (!has(c, p, 4)) return -1;
    if (left < 4) {
      c.out += "\n\t    Remaining LS length " + left + " < 4";
      return -1;
    }
    const type = be16(c, p);
    let len = be16(c, p + 2);
    p += 4;
    left -= 4;
    c.out += "\n\t    " + (GRACE_TLVS[type] || "unknown") + " TLV (" + type + "), length " + len + ", value: ";
    if (len > left) {
      c.out += "\n\t    Bogus length " + len + " > " + left;
      return -1;
    }
    if (type === 0 || len === 0) return -1;
    if (!has(c, p, len)) return -1;
    switch (type) {
      case 1:
        if (len !== 4) {
          c.out += "\n\t    Bogus length " + len + " != 4";
          return -1;
        }
        c.out += be32(c, p) + "s";
        break;
      case 2: {
        if (len !== 1) {
          c.out += "\n\t    Bogus length " + len + " != 1";
          return -1;
        }
        const reason = u8(c, p);
        c.out += (GRACE_REASONS[reason] ?? "Unknown") + " (" + reason + ")";
        break;
      }
      case 3:
        if (len !== 4) {
          c.out += "\n\t    Bogus length " + len + " != 4";
          return -1;
        }
        c.out += ipv4String(c, p);
        break;
      default:
        if (c.flags.verbose <= 1 && !unknownData(c, p, "\n\t      ", len)) return -1;
    }
    // Everything in OSPF is 32-bit aligned, TLVs included.
    if (len % 4 !== 0) len += 4 - (len % 4);
    left = (left - len) >>> 0;
    p += len;
  }
  return 0;
}

function invalid(c: PrintContext): number {
  c.out += " (invalid)";
  return -1;
}

/** Traffic engineering LSA TLVs (RFC 3630, RFC 4203); -1 where tcpdump stops. */
function teLsaPrint(c: PrintContext, p: number, left: number): number {
  while (left !== 0) {
    if (!has(c, p, 4)) return -1;
    if (left < 4) {
      c.out += "\n\t    Remaining LS length " + left + " < 4";
      return -1;
    }
    const type = be16(c, p);
    let len = be16(c, p + 2);
    p += 4;
    left -= 4;
    c.out += "\n\t    " + (TE_TLVS[type] || "unknown") + " TLV (" + type + "), length: " + len;
    if (len > left) {
      c.out += "\n\t    Bogus length " + len + " > " + left;
      return -1;
    }
    if (type === 0 || len === 0) return -1;
    if (type === 2) {
      let q = p;
      let tlvLeft = len;
      while (tlvLeft !== 0) {
        if (tlvLeft < 4) {
          c.out += "\n\t    Remaining TLV length " + tlvLeft + " < 4";
          return -1;
        }
        const subtype = be16(c, q);
        let sublen = be16(c, q + 2);
        q += 4;
        tlvLeft -= 4;
        if (subtype === 0 || sublen === 0) return invalid(c);
        c.out +=
          "\n\t      " + (TE_LINK_SUBTLVS.get(subtype) ?? "unknown") + " subTLV (" + subtype + "), length: " + sublen;
        if (tlvLeft < sublen) {
          c.out += "\n\t    Remaining TLV length " + (tlvLeft + 4) + " < " + (sublen + 4);
          return -1;
        }
        if (!has(c, q, sublen)) return -1;
        if (linkSubTlvPrint(c, subtype, q, sublen) < 0) return -1;
        if (sublen % 4 !== 0) sublen += 4 - (sublen % 4);
        if (tlvLeft < sublen) {
          c.out += "\n\t    Remaining TLV length " + (tlvLeft + 4) + " < " + (sublen + 4);
          return -1;
        }
        tlvLeft -= sublen;
        q += sublen;
      }
      // tcpdump goes on from where its link sub-TLVs ended, its remaining length now zero.
      len = 0;
      p = q;
    } else if (type === 1) {
      if (len < 4) {
        c.out += "\n\t    TLV length " + len + " < 4";
        return -1;
      }
      c.out += ", " + ipv4String(c, p);
    } else if (c.flags.verbose <= 1 && !unknownData(c, p, "\n\t      ", len)) return -1;
    if (len % 4 !== 0) len += 4 - (len % 4);
    if (len > left) {
      c.out += "\n\t    Bogus padded length " + len + " > " + left;
      return -1;
    }
    left -= len;
    p += len;
  }
  return 0;
}

function linkSubTlvPrint(c: PrintContext, type: number, p: number, len: number): number {
  switch (type) {
    case 9:
      if (len !== 4) {
        c.out += " != 4";
        return invalid(c);
      }
      c.out += ", 0x" + hex8(be32(c, p));
      return 0;
    case 2:
    case 11:
      if (len !== 4 && len !== 8) {
        c.out += " != 4 && != 8";
        return invalid(c);
      }
      c.out += ", " + ipv4String(c, p) + " (0x" + hex8(be32(c, p)) + ")";
      if (len === 8) c.out += ", " + ipv4String(c, p + 4) + " (0x" + hex8(be32(c, p + 4)) + ")";
      return 0;
    case 3:
    case 4:
      if (len !== 4) {
        c.out += " != 4";
        return invalid(c);
      }
      c.out += ", " + ipv4String(c, p);
      return 0;
    case 6:
    case 7:
      if (len !== 4) {
        c.out += " != 4";
        return invalid(c);
      }
      c.out += ", " + mbps(c, p) + " Mbps";
      return 0;
    case 8:
      if (len !== 32) {
        c.out += " != 32";
        return invalid(c);
      }
      for (let i = 0; i < 8; i++) c.out += "\n\t\tTE-Class " + i + ": " + mbps(c, p + i * 4) + " Mbps";
      return 0;
    case 17: {
      if (len < 4) {
        c.out += " < 4";
        return invalid(c);
      }
      const model = u8(c, p);
      c.out += "\n\t\tBandwidth Constraints Model ID: " + (BC_MODELS.get(model) ?? "unknown") + " (" + model + ")";
      if (len % 4 !== 0) {
        c.out += "\n\t\tlength " + len + " != N x 4";
        return invalid(c);
      }
      if (len > 36) {
        c.out += "\n\t\tlength " + len + " > 36";
        return invalid(c);
      }
      for (let i = 0; i < (len - 4) / 4; i++)
        c.out += "\n\t\t  Bandwidth constraint CT" + i + ": " + mbps(c, p + 4 + i * 4) + " Mbps";
      return 0;
    }
    case 5:
      if (len !== 4) {
        c.out += " != 4";
        return invalid(c);
      }
      c.out += ", Metric " + be32(c, p);
      return 0;
    case 14:
      if (len !== 4) {
        c.out += " != 4";
        return invalid(c);
      }
      c.out += ", " + flagNames(GMPLS_LINK_PROTECTIONS, u8(c, p));
      return 0;
    case 15:
      if (len < 36) {
        c.out += " < 36";
        return invalid(c);
      }
      c.out += "\n\t\tInterface Switching Capability: " + (GMPLS_SWITCH_CAPABILITIES.get(u8(c, p)) ?? "Unknown");
      c.out +=
        "\n\t\tLSP Encoding: " + (GMPLS_LSP_ENCODINGS.get(u8(c, p + 1)) ?? "Unknown") + "\n\t\tMax LSP Bandwidth:";
      for (let i = 0; i < 8; i++) c.out += "\n\t\t  priority level " + i + ": " + mbps(c, p + 4 + i * 4) + " Mbps";
      return 0;
    case 1: {
      if (len !== 1) {
        c.out += " != 1";
        return invalid(c);
      }
      const linkType = u8(c, p);
      c.out += ", " + (TE_LINK_TYPES[linkType] || "unknown") + " (" + linkType + ")";
      return 0;
    }
    case 16: {
      if (len % 4 !== 0) {
        c.out += " != N x 4";
        return invalid(c);
      }
      let count = len / 4;
      if (count !== 0) c.out += "\n\t\t  Shared risk group: ";
      for (let q = p; count > 0; q += 4) {
        c.out += be32(c, q);
        count--;
        if (count > 0) c.out += ", ";
      }
      return 0;
    }
    default:
      if (c.flags.verbose <= 1 && !unknownData(c, p, "\n\t\t", len)) return -1;
      return 0;
  }
}

/** The link-local signalling block after a hello or database description (RFC 5613). */
function llsPrint(c: PrintContext, at: number, length: number): void {
  const type = u8(c, at + 1);
  const options = type === 1 ? u8(c, at + HEADER_LENGTH + 6) : type === 2 ? u8(c, at + HEADER_LENGTH + 2) : 0;
  if (!(options & OPTION_LLS)) return;
  let length2 = be16(c, at + 2);
  let p = at + length2;
  const dataEnd = at + length;
  if (be16(c, at + 14) === AUTH_MD5) {
    p += u8(c, at + 19);
    length2 += u8(c, at + 19);
  }
  if (length2 >= length) {
    c.out += "\n\t[LLS truncated]";
    return;
  }
  c.out += "\n\t  LLS: checksum: 0x" + hex4(be16(c, p));
  p += 2;
  c.out += ", length: " + be16(c, p);
  p += 2;
  while (p < dataEnd) {
    const tlvType = be16(c, p);
    c.out +=
      "\n\t    " +
      (tlvType === LLS_EXTENDED_OPTIONS
        ? "Extended Options"
        : tlvType === LLS_MD5
          ? "MD5 Authentication"
          : "Unknown TLV") +
      " (" +
      tlvType +
      ")";
    p += 2;
    let tlvLength = be16(c, p);
    c.out += ", length: " + tlvLength;
    p += 2;
    if (tlvType === LLS_EXTENDED_OPTIONS) {
      if (tlvLength !== 4) {
        c.out += " [should be 4]";
        tlvLength = 4;
      }
      const flags = be32(c, p);
      c.out += "\n\t      Options: 0x" + hex8(flags) + " [" + flagNames(LLS_OPTIONS, flags, "?") + "]";
    } else if (tlvType === LLS_MD5) {
      if (tlvLength !== 20) {
        c.out += " [should be 20]";
        tlvLength = 20;
      }
      c.out += "\n\t      Sequence number: 0x" + hex8(be32(c, p));
    }
    p += tlvLength;
  }
}

const V3_OPTIONS: [number, string][] = [
  [0x01, "V6"],
  [0x02, "External"],
  [0x04, "Deprecated"],
  [0x08, "NSSA"],
  [0x10, "Router"],
  [0x20, "Demand Circuit"],
  [0x0100, "AFs Support"],
  [0x0200, "LLS"],
  [0x0400, "Authentication Trailer"],
];
const V3_OPTION_LLS = 0x0200;
const V3_ROUTER_FLAGS: [number, string][] = [
  [0x01, "ABR"],
  [0x02, "External"],
  [0x04, "Virtual-Link Endpoint"],
  [0x08, "Deprecated"],
  [0x10, "NSSA Translator"],
];
const V3_EXTERNAL_FLAGS: [number, string][] = [
  [0x80000000, "External Type 2"],
  [0x02000000, "Forwarding"],
  [0x01000000, "Tag"],
];
const V3_EXTERNAL_FORWARDING = 0x02000000;
const V3_EXTERNAL_TAG = 0x01000000;
const V3_DD_FLAGS: [number, string][] = [
  [0x04, "Init"],
  [0x02, "More"],
  [0x01, "Master"],
  [0x10, "IPv6 MTU"],
];
const V3_LSA_TYPES = [
  "",
  "Router",
  "Network",
  "Inter-Area Prefix",
  "Inter-Area Router",
  "External",
  "Deprecated",
  "NSSA",
  "Link",
  "Intra-Area Prefix",
  "Intra-Area TE",
  "Grace",
  "Router Information",
  "Inter-AS-TE",
  "Layer 1 VPN",
];
const V3_SCOPES = ["Link Local", "Area Local", "Domain Wide"];
const V3_PREFIX_OPTIONS: [number, string][] = [
  [0x01, "No Unicast"],
  [0x02, "Local address"],
  [0x04, "Deprecated"],
  [0x08, "Propagate"],
  [0x10, "Down"],
  [0x20, "N-bit"],
];
const V3_HEADER_LENGTH = 16;
const V3_LSA_HEADER_LENGTH = 20;
// LS types with their flooding scope bits, as the LSA decoder matches them.
const V3_ROUTER_LSA = 0x2001;
const V3_NETWORK_LSA = 0x2002;
const V3_INTER_AREA_PREFIX_LSA = 0x2003;
const V3_EXTERNAL_LSA = 0x4005;
const V3_LINK_LSA = 0x0008;
const V3_INTRA_AREA_PREFIX_LSA = 0x2009;
const V3_TE_LSA = 0x000a;
const V3_GRACE_LSA = 0x000b;

function v3Truncated(c: PrintContext): void {
  c.out += " [|ospf3]";
}

function ospf6VerbosePrint(c: PrintContext, at: number, length: number): void {
  const dataLength = be16(c, at + 2);
  if (dataLength > length) {
    c.out += " [len " + dataLength + "]";
    return;
  }
  const dataEnd = at + dataLength;
  c.out += "\n\tRouter-ID " + ipv4String(c, at + 4);
  c.out += be32(c, at + 8) !== 0 ? ", Area " + ipv4String(c, at + 8) : ", Backbone Area";
  const instance = u8(c, at + 14);
  if (instance) c.out += ", Instance " + instance;
  if (u8(c, at) !== 3) return;
  if (!v3Print(c, at, dataEnd) || !v3TrailerPrint(c, at, dataEnd, length - dataLength)) v3Truncated(c);
}

/** "Router LSA (1), Area Local Scope, LSA-ID 1.1.1.1" for an LS type and the id at `id`. */
function v3LsTypePrint(c: PrintContext, type: number, id: number): void {
  const scope = type & 0x6000;
  c.out +=
    "\n\t    " +
    (V3_LSA_TYPES[type & 0x1fff] || "Unknown") +
    " LSA (" +
    (type & 0x1fff) +
    "), " +
    (scope === 0x6000 ? "Unknown" : V3_SCOPES[scope >> 13]) +
    " Scope" +
    (type & 0x8000 ? ", transitive" : "") +
    ", LSA-ID " +
    ipv4String(c, id);
}

/** An OSPFv3 LSA header; false when it runs past the packet's data. */
function v3LsaHeaderPrint(c: PrintContext, p: number, dataEnd: number): boolean {
  if (p + V3_LSA_HEADER_LENGTH > dataEnd) return false;
  const length = be16(c, p + 18);
  // tcpdump subtracts the header size as an unsigned 64-bit number.
  const shown =
    length >= V3_LSA_HEADER_LENGTH
      ? String(length - V3_LSA_HEADER_LENGTH)
      : String(2n ** 64n - BigInt(V3_LSA_HEADER_LENGTH - length));
  c.out +=
    "\n\t  Advertising Router " +
    ipv4String(c, p + 8) +
    ", seq 0x" +
    hex8(be32(c, p + 12)) +
    ", age " +
    be16(c, p) +
    "s, length " +
    shown;
  v3LsTypePrint(c, be16(c, p + 2), p + 4);
  return true;
}

/** An address prefix of an LSA; returns its size, or -1 when it does not fit. */
function v3PrefixPrint(c: PrintContext, p: number, left: number): number {
  if (left < 4) return -1;
  left -= 4;
  if (!has(c, p, 4)) return -1;
  const bits = u8(c, p);
  const words = Math.floor((bits + 31) / 32);
  if (words * 4 > 16) {
    c.out += " bogus prefixlen /" + bits;
    return -1;
  }
  if (left < words * 4) return -1;
  check16(c, p + 4, words * 4);
  const address = new Uint8Array(16);
  address.set(c.bytes.subarray(p + 4, p + 4 + words * 4));
  c.out += "\n\t\t" + ipv6FromBytes(address, 0) + "/" + bits;
  const options = u8(c, p + 1);
  if (options) c.out += ", Options [" + flagNames(V3_PREFIX_OPTIONS, options) + "]";
  c.out += ", metric " + be16(c, p + 2);
  return 4 + words * 4;
}

function check16(c: PrintContext, at: number, len: number): void {
  if (!has(c, at, len)) throw TRUNCATED;
}

/** One OSPFv3 LSA; false when it is cut short or its lengths do not add up. */
function v3LsaPrint(c: PrintContext, lsa: number, dataEnd: number): boolean {
  if (!v3LsaHeaderPrint(c, lsa, dataEnd)) return false;
  const length = be16(c, lsa + 18);
  if (length < V3_LSA_HEADER_LENGTH || lsa + length > dataEnd) return false;
  let left = length - V3_LSA_HEADER_LENGTH;
  let p = lsa + V3_LSA_HEADER_LENGTH;
  let size: number;
  switch (be16(c, lsa + 2)) {
    case V3_ROUTER_LSA:
      if (left < 4) return false;
      left -= 4;
      c.out += "\n\t      Options [" + flagNames(V3_OPTIONS, be32(c, p)) + "]";
      c.out += ", RLA-Flags [" + flagNames(V3_ROUTER_FLAGS, u8(c, p)) + "]";
      p += 4;
      while (left !== 0) {
        if (left < 16) return false;
        left -= 16;
        if (!has(c, p, 16)) return false;
        const type = u8(c, p);
        const interfaces =
          "\n\t      Neighbor Interface-ID " + ipv4String(c, p + 8) + ", Interface " + ipv4String(c, p + 4);
        if (type === 4) c.out += "\n\t      Virtual Link: Neighbor Router-ID " + ipv4String(c, p + 12) + interfaces;
        else if (type === 1) c.out += "\n\t      Neighbor Router-ID " + ipv4String(c, p + 12) + interfaces;
        else if (type === 2) c.out += "\n\t      Neighbor Network-ID " + ipv4String(c, p + 12) + interfaces;
        else {
          c.out += "\n\t      Unknown Router Links Type 0x" + type.toString(16).padStart(2, "0");
          return true;
        }
        c.out += ", metric " + be16(c, p + 2);
        p += 16;
      }
      return true;
    case V3_NETWORK_LSA:
      if (left < 4) return false;
      left -= 4;
      c.out += "\n\t      Options [" + flagNames(V3_OPTIONS, be32(c, p)) + "]";
      c.out += "\n\t      Connected Routers:";
      for (p += 4; left !== 0; p += 4) {
        if (left < 4) return false;
        left -= 4;
        c.out += "\n\t\t" + ipv4String(c, p);
      }
      return true;
    case V3_INTER_AREA_PREFIX_LSA:
      if (left < 4) return false;
      left -= 4;
      c.out += ", metric " + (be32(c, p) & 0xffffff);
      for (p += 4; left !== 0; p += size, left -= size) if ((size = v3PrefixPrint(c, p, left)) < 0) return false;
      return true;
    case V3_EXTERNAL_LSA: {
      if (left < 4) return false;
      left -= 4;
      const flags = be32(c, p);
      c.out += "\n\t     Flags [" + flagNames(V3_EXTERNAL_FLAGS, flags) + "]";
      c.out += " metric " + (be32(c, p) & 0xffffff);
      const prefix = p + 4;
      if ((size = v3PrefixPrint(c, prefix, left)) < 0) return false;
      left -= size;
      p = prefix + size;
      if (flags & V3_EXTERNAL_FORWARDING) {
        if (left < 16) return false;
        left -= 16;
        c.out += " forward " + ipv6String(c, p);
        p += 16;
      }
      if (flags & V3_EXTERNAL_TAG) {
        if (left < 4) return false;
        left -= 4;
        c.out += " tag " + ipv4String(c, p);
        p += 4;
      }
      // tcpdump takes the first byte of the prefix's metric field for the referenced LS type.
      if (u8(c, prefix + 2)) {
        if (left < 4) return false;
        left -= 4;
        c.out += " RefLSID: " + ipv4String(c, p);
      }
      return true;
    }
    case V3_LINK_LSA: {
      if (left < 4) return false;
      left -= 4;
      if (!has(c, p, 4)) return false;
      c.out += "\n\t      Options [" + flagNames(V3_OPTIONS, be32(c, p)) + "]";
      if (left < 20) return false;
      left -= 20;
      let prefixes = be32(c, p + 20);
      c.out +=
        "\n\t      Priority " +
        u8(c, p) +
        ", Link-local address " +
        ipv6String(c, p + 4) +
        ", Prefixes " +
        prefixes +
        ":";
      for (p += 24; prefixes > 0; prefixes--, p += size, left -= size)
        if ((size = v3PrefixPrint(c, p, left)) < 0) return false;
      return true;
    }
    case V3_INTRA_AREA_PREFIX_LSA: {
      if (left < 4) return false;
      left -= 4;
      if (!has(c, p + 8, 4)) return false;
      v3LsTypePrint(c, be16(c, p + 2), p + 4);
      if (left < 2) return false;
      left -= 2;
      let prefixes = be16(c, p);
      c.out += "\n\t      Prefixes " + prefixes + ":";
      for (p += 12; prefixes > 0; prefixes--, p += size, left -= size)
        if ((size = v3PrefixPrint(c, p, left)) < 0) return false;
      return true;
    }
    case V3_GRACE_LSA:
      return graceLsaPrint(c, p, left) !== -1;
    case V3_TE_LSA:
      return teLsaPrint(c, p, left) !== -1;
    default:
      return unknownData(c, p, "\n\t      ", left);
  }
}

/** The OSPFv3 packet body; false when it was cut short. */
function v3Print(c: PrintContext, at: number, dataEnd: number): boolean {
  const body = at + V3_HEADER_LENGTH;
  const verbose = c.flags.verbose;
  switch (u8(c, at + 1)) {
    case 1:
      c.out += "\n\tOptions [" + flagNames(V3_OPTIONS, be32(c, body + 4)) + "]";
      c.out +=
        "\n\t  Hello Timer " +
        be16(c, body + 8) +
        "s, Dead Timer " +
        be16(c, body + 10) +
        "s, Interface-ID " +
        ipv4String(c, body) +
        ", Priority " +
        u8(c, body + 4);
      if (be32(c, body + 12) !== 0) c.out += "\n\t  Designated Router " + ipv4String(c, body + 12);
      if (be32(c, body + 16) !== 0) c.out += ", Backup Designated Router " + ipv4String(c, body + 16);
      if (verbose > 1) {
        c.out += "\n\t  Neighbor List:";
        for (let p = body + 20; p < dataEnd; p += 4) c.out += "\n\t    " + ipv4String(c, p);
      }
      return true;
    case 2:
      c.out += "\n\tOptions [" + flagNames(V3_OPTIONS, be32(c, body)) + "]";
      c.out += ", DD Flags [" + flagNames(V3_DD_FLAGS, u8(c, body + 7)) + "]";
      c.out += ", MTU " + be16(c, body + 4) + ", DD-Sequence 0x" + hex8(be32(c, body + 8));
      if (verbose > 1)
        for (let p = body + 12; p < dataEnd; p += V3_LSA_HEADER_LENGTH)
          if (!v3LsaHeaderPrint(c, p, dataEnd)) return false;
      return true;
    case 3:
      if (verbose > 1)
        for (let p = body; p < dataEnd; p += 12) {
          if (!has(c, p, 12)) return false;
          c.out += "\n\t  Advertising Router " + ipv4String(c, p + 8);
          v3LsTypePrint(c, be16(c, p + 2), p + 4);
        }
      return true;
    case 4:
      if (verbose > 1) {
        // tcpdump counts with a signed int: any non-zero count goes on until the data ends.
        let count = be32(c, body) | 0;
        for (let p = body + 4; p < dataEnd && count-- !== 0; p += be16(c, p + 18))
          if (!v3LsaPrint(c, p, dataEnd)) return false;
      }
      return true;
    case 5:
      if (verbose > 1)
        for (let p = body; p < dataEnd; p += V3_LSA_HEADER_LENGTH) if (!v3LsaHeaderPrint(c, p, dataEnd)) return false;
      return true;
    default:
      return true;
  }
}

/** The LLS block and authentication trailer after the packet; false when cut short. */
function v3TrailerPrint(c: PrintContext, at: number, p: number, len: number): boolean {
  const type = u8(c, at + 1);
  let lls = false;
  if (type === 1) lls = (be32(c, at + V3_HEADER_LENGTH + 4) & V3_OPTION_LLS) !== 0;
  else if (type === 2) lls = (be32(c, at + V3_HEADER_LENGTH) & V3_OPTION_LLS) !== 0;
  let llsLength = 0;
  if (lls && len !== 0) {
    if (len < 4) return false;
    c.out += "\n\tLLS Checksum 0x" + hex4(be16(c, p));
    llsLength = be16(c, p + 2);
    c.out += ", Data Length " + llsLength;
    if (llsLength < 4 || llsLength > len) return false;
    if (!has(c, p + 4, llsLength - 4)) return false;
  }
  p += llsLength;
  len -= llsLength;
  if (len === 0) return true;
  if (len < 16) return false;
  const authType = be16(c, p);
  c.out += "\n\tAuthentication Type " + (authType === 1 ? "HMAC" : "unknown (0x" + hex4(authType) + ")");
  const authLength = be16(c, p + 2);
  c.out += ", Length " + authLength;
  if (authLength < 16 || authLength > len) return false;
  c.out += ", SAID " + be16(c, p + 6);
  c.out += ", CSN 0x" + hex8(be32(c, p + 8));
  c.out += ":" + hex8(be32(c, p + 12));
  if (!has(c, p + 16, authLength - 16)) return false;
  if (c.flags.verbose > 1) printUnknownData(c, p + 16, "\n\tAuthentication Data ", authLength - 16);
  return true;
}
