// VXLAN (RFC 7348), Geneve (RFC 8926) and OTV, the UDP tunnels: their header as tcpdump prints it, then
// the carried frame by the existing printers.

import { available, be16, check, has, u8, type PrintContext } from "./context.js";
import { hex4 } from "./addr.js";
import { ethertypeName } from "./names.js";
import { encapsulated } from "./encapsulated.js";

const VXLAN_HEADER_LENGTH = 8;
const VXLAN_FLAG_VNI = 0x08;

export function vxlanPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "vxlan";
  c.out += "VXLAN";
  if (length < VXLAN_HEADER_LENGTH) {
    c.out += " (invalid)";
    return;
  }
  const flags = u8(c, at);
  c.out +=
    ", flags [" + (flags & VXLAN_FLAG_VNI ? "I" : "invalid") + "] (0x" + flags.toString(16).padStart(2, "0") + "), ";
  c.out += "vni " + ((u8(c, at + 4) << 16) | be16(c, at + 5)) + "\n";
  check(c, at + 7, 1);
  const inner = at + VXLAN_HEADER_LENGTH;
  encapsulated().ethernet(c, inner, length - VXLAN_HEADER_LENGTH, available(c, inner));
}

const GENEVE_FLAGS: [number, string][] = [
  [0x80, "O"],
  [0x40, "C"],
  [0x20, "R1"],
  [0x10, "R2"],
  [0x08, "R3"],
  [0x04, "R4"],
  [0x02, "R5"],
  [0x01, "R6"],
];
const OPTION_TYPE_CRITICAL = 0x80;
const ETHERTYPE_TEB = 0x6558;
/** VLAN tags, which tcpdump opens inside Geneve and this printer does not yet. */
const GENEVE_VLAN_TYPES: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);

/** tcpdump's own " [|geneve]": a header cut short by the capture. */
const GENEVE_TRUNCATED = Object.freeze({ geneve: "truncated" });

function optionClassName(optionClass: number): string {
  switch (optionClass) {
    case 0x0100:
      return "Linux";
    case 0x0101:
      return "Open vSwitch";
    case 0x0102:
      return "Open Virtual Networking (OVN)";
    case 0x0103:
      return "In-band Network Telemetry (INT)";
    case 0x0104:
      return "VMware";
    default:
      if (optionClass <= 0x00ff) return "Standard";
      if (optionClass >= 0xfff0) return "Experimental";
      return "Unknown";
  }
}

function printOptions(c: PrintContext, at: number, len: number): void {
  let sep = "";
  while (len > 0) {
    c.out += sep;
    sep = ", ";
    const optionClass = be16(c, at);
    const type = u8(c, at + 2);
    const optionLength = 4 + (u8(c, at + 3) & 0x1f) * 4;
    c.out +=
      "class " +
      optionClassName(optionClass) +
      " (0x" +
      optionClass.toString(16) +
      ") type 0x" +
      type.toString(16) +
      (type & OPTION_TYPE_CRITICAL ? "(C)" : "") +
      " len " +
      optionLength;
    if (optionLength > len) {
      c.out += " [bad length]";
      return;
    }
    if (c.flags.verbose > 1 && optionLength > 4) {
      c.out += " data";
      for (let i = 4; i < optionLength; i += 4) {
        check(c, at + i, 4);
        c.out +=
          " " +
          c.view
            .getUint32(c.base + at + i)
            .toString(16)
            .padStart(8, "0");
      }
    }
    at += optionLength;
    len -= optionLength;
  }
}

export function genevePrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "geneve";
  c.out += "Geneve";
  if (length < 8) {
    c.out += " [length " + length + " < 8] (invalid)";
    return;
  }
  try {
    if (!has(c, at, 8)) throw GENEVE_TRUNCATED;
    const versionOptions = u8(c, at);
    const version = versionOptions >> 6;
    if (version !== 0) {
      c.out += " ERROR: unknown-version " + version;
      return;
    }
    const flags = u8(c, at + 1);
    const protocol = be16(c, at + 2);
    const vni = (u8(c, at + 4) << 16) | be16(c, at + 5);
    const reserved = u8(c, at + 7);
    let len = length - 8;
    let p = at + 8;
    let flagText = "";
    for (const [bit, name] of GENEVE_FLAGS) if (flags & bit) flagText += name;
    c.out += ", Flags [" + (flagText || "none") + "]";
    c.out += ", vni 0x" + vni.toString(16);
    if (reserved) c.out += ", rsvd 0x" + reserved.toString(16);
    if (c.flags.linkHeader)
      c.out += ", proto " + (ethertypeName(protocol) ?? "unknown") + " (0x" + hex4(protocol) + ")";
    const optionsLength = (versionOptions & 0x3f) * 4;
    if (len < optionsLength) {
      c.out += " truncated-geneve - " + (optionsLength - len) + " bytes missing";
      return;
    }
    if (!has(c, p, optionsLength)) throw GENEVE_TRUNCATED;
    if (optionsLength > 0) {
      c.out += ", options [";
      if (c.flags.verbose) printOptions(c, p, optionsLength);
      else c.out += optionsLength + " bytes";
      c.out += "]";
    }
    p += optionsLength;
    len -= optionsLength;
    c.out += c.flags.verbose < 1 ? ": " : "\n\t";
    if (GENEVE_VLAN_TYPES.has(protocol)) c.markUnsupported("geneve vlan");
    if (!encapsulated().ethertype(c, protocol, p, len, available(c, p))) {
      if (protocol === ETHERTYPE_TEB) encapsulated().ethernet(c, p, len, available(c, p));
      else c.out += "geneve-proto-0x" + protocol.toString(16);
    }
  } catch (e) {
    if (e !== GENEVE_TRUNCATED) throw e;
    c.out += " [|geneve]";
  }
}

const OTV_HEADER_LENGTH = 8;

/** Cisco OTV (draft-hasmit-otv): its header, then the carried frame. */
export function otvPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "otv";
  c.out += "OTV, ";
  if (length < OTV_HEADER_LENGTH) {
    c.out += "[length " + length + " < " + OTV_HEADER_LENGTH + "] (invalid)";
    check(c, at, length);
    return;
  }
  const flags = u8(c, at);
  c.out += "flags [" + (flags & 0x08 ? "I" : ".") + "] (0x" + flags.toString(16).padStart(2, "0") + "), ";
  c.out += "overlay " + ((u8(c, at + 1) << 16) | be16(c, at + 2)) + ", ";
  c.out += "instance " + ((u8(c, at + 4) << 16) | be16(c, at + 5)) + "\n";
  check(c, at + 7, 1);
  const inner = at + OTV_HEADER_LENGTH;
  encapsulated().ethernet(c, inner, length - OTV_HEADER_LENGTH, available(c, inner));
}
