// BOOTP and DHCP (RFC 951, RFC 2131) as tcpdump prints them: "BOOTP/DHCP, Request from MAC,
// length N" without -v; with -v the fixed fields worth showing and the vendor area (the RFC 1048
// options, or CMU's fixed vendor block).

import { u8, be16, be32, check, has, printInvalid, printTrunc, type PrintContext } from "./context.js";
import { hex2, hex4, ipv4String, macString } from "./addr.js";
import { printableChar, printUnknownData } from "./unknown.js";

const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const HTYPE_ETHERNET = 1;
const MAC_LENGTH = 6;
const CHADDR_OFFSET = 28;
const SNAME_OFFSET = 44;
const SNAME_LENGTH = 64;
const FILE_OFFSET = 108;
const FILE_LENGTH = 128;
const VENDOR_OFFSET = 236;
const RFC1048_COOKIE = 0x63825363;
/** "CMU\0" */
const CMU_COOKIE = 0x434d5500;

const TAG_PAD = 0;
const TAG_END = 255;
const TAG_DHCP_MESSAGE = 53;
const TAG_PARM_REQUEST = 55;

/**
 * Option names, each prefixed with how its value prints: i addresses, p address pairs, l unsigned
 * and L signed 32-bit numbers, s 16-bit numbers, b dotted bytes, a text, B booleans, $ its own
 * decoder, and a space for options whose value is handled before the format applies.
 */
const OPTIONS = new Map<number, string>([
  [0, " PAD"],
  [1, "iSubnet-Mask"],
  [2, "LTime-Zone"],
  [3, "iDefault-Gateway"],
  [4, "iTime-Server"],
  [5, "iIEN-Name-Server"],
  [6, "iDomain-Name-Server"],
  [7, "iLOG"],
  [8, "iCS"],
  [9, "iLPR-Server"],
  [10, "iIM"],
  [11, "iRL"],
  [12, "aHostname"],
  [13, "sBS"],
  [255, " END"],
  [14, "aDP"],
  [15, "aDomain-Name"],
  [16, "iSS"],
  [17, "aRP"],
  [18, "aEP"],
  [19, "BIPF"],
  [20, "BSRT"],
  [21, "pPF"],
  [22, "sRSZ"],
  [23, "bTTL"],
  [24, "lMTU-Timeout"],
  [25, "sMTU-Table"],
  [26, "sMTU"],
  [27, "BLSN"],
  [28, "iBR"],
  [29, "BMD"],
  [30, "BMS"],
  [31, "BRouter-Discovery"],
  [32, "iRSA"],
  [33, "pStatic-Route"],
  [34, "BUT"],
  [35, "lAT"],
  [36, "BIE"],
  [37, "bTT"],
  [38, "lKI"],
  [39, "BKG"],
  [40, "aYD"],
  [41, "iYS"],
  [42, "iNTP"],
  [43, "bVendor-Option"],
  [44, "iNetbios-Name-Server"],
  [45, "iWDD"],
  [46, "$Netbios-Node"],
  [47, "aNetbios-Scope"],
  [48, "iXFS"],
  [49, "iXDM"],
  [64, "sN+D"],
  [65, "iN+S"],
  [68, "iMH"],
  [69, "iSMTP"],
  [70, "iPOP3"],
  [71, "iNNTP"],
  [72, "iWWW"],
  [73, "iFG"],
  [74, "iIRC"],
  [75, "iSTS"],
  [76, "iSTDA"],
  [50, "iRequested-IP"],
  [51, "lLease-Time"],
  [52, "$OO"],
  [66, "aTFTP"],
  [67, "aBF"],
  [53, " DHCP-Message"],
  [54, "iServer-ID"],
  [55, "bParameter-Request"],
  [56, "aMSG"],
  [57, "sMSZ"],
  [58, "lRN"],
  [59, "lRB"],
  [60, "aVendor-Class"],
  [61, "$Client-ID"],
  [98, "aUAP"],
  [116, "BNOAUTO"],
  [78, "bSLP-DA"],
  [79, "bSLP-SCOPE"],
  [117, "sNSSEARCH"],
  [77, "$User-Class"],
  [118, "iSUBNET"],
  [121, "$Classless-Static-Route"],
  [249, "$Classless-Static-Route-Microsoft"],
  [150, "iTFTP-Server-Address"],
  [80, "aSLP-NA"],
  [81, "$FQDN"],
  [82, "$Agent-Information"],
  [83, "bARMT"],
  [88, "aTZSTR"],
  [89, "bFQDNS"],
  [90, "bAUTH"],
  [91, "LLast-Transaction-Time"],
  [92, "iAssociated-IP"],
  [93, "sARCH"],
  [94, "bNDI"],
  [97, "bGUID"],
  [95, "aLDAP"],
  [100, "aPOSIX-TZ"],
  [101, "aTZ-Name"],
  [112, "iNI"],
  [113, "aNITAG"],
  [114, "aURL"],
  [161, "aMUD-URL"],
]);

const DHCP_MESSAGES = new Map<number, string>([
  [1, "Discover"],
  [2, "Offer"],
  [3, "Request"],
  [4, "Decline"],
  [5, "ACK"],
  [6, "NACK"],
  [7, "Release"],
  [8, "Inform"],
  [10, "LeaseQuery"],
  [11, "LeaseUnassigned"],
  [12, "LeaseUnknown"],
  [13, "LeaseActive"],
]);

const OPTION_OVERLOAD = new Map<number, string>([
  [1, "file"],
  [2, "sname"],
  [3, "file+sname"],
]);
const NETBIOS_NODE = new Map<number, string>([
  [1, "b-node"],
  [2, "p-node"],
  [4, "m-node"],
  [8, "h-node"],
]);
const CLIENT_ID_HARDWARE = new Map<number, string>([
  [0x1, "ether"],
  [0x6, "ieee802"],
  [0x7, "arcnet"],
  [0xf, "frelay"],
  [0x17, "strip"],
  [0x18, "ieee1394"],
]);
const AGENT_SUBOPTIONS = new Map<number, string>([
  [1, "Circuit-ID"],
  [2, "Remote-ID"],
  [6, "Subscriber-ID"],
]);

const TAG_OPT_OVERLOAD = 52;
const TAG_NETBIOS_NODE = 46;
const TAG_CLIENT_FQDN = 81;
const TAG_CLIENT_ID = 61;
const TAG_AGENT_CIRCUIT = 82;
const TAG_CLASSLESS_STATIC_ROUTE = 121;
const TAG_CLASSLESS_STATIC_ROUTE_MS = 249;
const TAG_USER_CLASS = 77;

export function bootpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "bootp";
  const op = u8(c, at);
  c.out +=
    "BOOTP/DHCP, " + (op === BOOTREQUEST ? "Request" : op === BOOTREPLY ? "Reply" : "unknown (0x" + hex2(op) + ")");
  const htype = u8(c, at + 1);
  const hlen = u8(c, at + 2);
  if (htype === HTYPE_ETHERNET && hlen === MAC_LENGTH && op === BOOTREQUEST)
    c.out += " from " + macString(c, at + CHADDR_OFFSET);
  c.out += ", length " + length;
  if (!c.flags.verbose) return;
  // tcpdump checks these two spans without unwinding: the marker ends the line, the packet is done.
  if (!has(c, at + 8, 2)) return printTrunc(c);
  if (htype !== HTYPE_ETHERNET) c.out += ", htype " + htype;
  if (htype !== HTYPE_ETHERNET || hlen !== MAC_LENGTH) c.out += ", hlen " + hlen;
  const hops = u8(c, at + 3);
  if (hops) c.out += ", hops " + hops;
  const xid = be32(c, at + 4);
  if (xid) c.out += ", xid 0x" + xid.toString(16);
  const secs = be16(c, at + 8);
  if (secs) c.out += ", secs " + secs;
  const flags = be16(c, at + 10);
  c.out += ", Flags [" + (flags & 0x8000 ? "Broadcast" : "none") + "]";
  if (c.flags.verbose > 1) c.out += " (0x" + hex4(flags) + ")";
  const addresses: [number, string][] = [
    [12, "Client-IP"],
    [16, "Your-IP"],
    [20, "Server-IP"],
    [24, "Gateway-IP"],
  ];
  for (const [offset, name] of addresses)
    if (be32(c, at + offset) !== 0) c.out += "\n\t  " + name + " " + ipv4String(c, at + offset);
  if (htype === HTYPE_ETHERNET && hlen === MAC_LENGTH)
    c.out += "\n\t  Client-Ethernet-Address " + macString(c, at + CHADDR_OFFSET);
  for (const [offset, size, name] of [
    [SNAME_OFFSET, SNAME_LENGTH, "sname"],
    [FILE_OFFSET, FILE_LENGTH, "file"],
  ] as const) {
    if (u8(c, at + offset) === 0) continue;
    c.out += "\n\t  " + name + ' "';
    const terminated = printTerminated(c, at + offset, size);
    c.out += '"';
    if (!terminated) {
      printInvalid(c);
      return;
    }
  }
  const vendor = at + VENDOR_OFFSET;
  if (!has(c, vendor, 4)) return printTrunc(c);
  const cookie = be32(c, vendor);
  if (cookie === RFC1048_COOKIE) rfc1048Print(c, vendor);
  else if (cookie === CMU_COOKIE) cmuPrint(c, vendor);
  else if (cookie !== 0) c.out += "\n\t  Vendor-#0x" + cookie.toString(16);
}

/** Text up to a NUL within `size` bytes; false when there is no NUL there. */
function printTerminated(c: PrintContext, at: number, size: number): boolean {
  for (let i = 0; i < size; i++) {
    const byte = u8(c, at + i);
    if (byte === 0) return true;
    c.out += printableChar(byte);
  }
  return false;
}

/** `len` bytes as text, each byte as tcpdump renders it. */
function printCounted(c: PrintContext, at: number, len: number): void {
  check(c, at, len);
  for (let i = 0; i < len; i++) c.out += printableChar(c.bytes[at + i]!);
}

function rfc1048Print(c: PrintContext, at: number): void {
  c.out += "\n\t  Vendor-rfc1048 Extensions";
  c.out += "\n\t    Magic Cookie 0x" + be32(c, at).toString(16).padStart(8, "0");
  let p = at + 4;
  const verbose = c.flags.verbose;
  while (has(c, p, 1)) {
    const tag = c.bytes[p++]!;
    if (tag === TAG_PAD && verbose < 3) continue;
    if (tag === TAG_END && verbose < 3) return;
    const entry = OPTIONS.get(tag) ?? "?Unknown";
    let format = entry[0]!;
    const name = entry.slice(1);
    let len = 0;
    if (tag !== TAG_PAD && tag !== TAG_END) len = u8(c, p++);
    c.out += "\n\t    " + name + " (" + tag + "), length " + len + (len > 0 ? ": " : "");
    if (tag === TAG_PAD && verbose > 2) {
      let count = 1;
      while (has(c, p, 1) && c.bytes[p] === TAG_PAD) {
        p++;
        count++;
      }
      if (count > 1) c.out += ", occurs " + count;
    }
    check(c, p, len);
    if (tag === TAG_DHCP_MESSAGE && len === 1) {
      const type = c.bytes[p++]!;
      c.out += DHCP_MESSAGES.get(type) ?? "Unknown (" + type + ")";
      continue;
    }
    if (tag === TAG_PARM_REQUEST) {
      for (let i = 0; i < len; i++) {
        const inner = c.bytes[p + i]!;
        c.out += i % 4 === 0 ? "\n\t      " : ", ";
        c.out += (OPTIONS.get(inner) ?? "?Unknown").slice(1) + " (" + inner + ")";
      }
      p += len;
      continue;
    }
    // Unknown options print by their size.
    if (format === "?") format = len & 1 ? "b" : len & 2 ? "s" : "l";
    const end = p + len;
    let first = true;
    switch (format) {
      case "a":
        c.out += '"';
        printCounted(c, p, len);
        c.out += '"';
        p = end;
        break;
      case "i":
      case "l":
      case "L":
        for (; end - p >= 4; p += 4, first = false) {
          if (!first) c.out += ",";
          if (format === "i") c.out += ipv4String(c, p);
          else if (format === "L") c.out += be32(c, p) | 0;
          else c.out += be32(c, p);
        }
        break;
      case "p":
        for (; end - p >= 8; p += 8, first = false) {
          if (!first) c.out += ",";
          c.out += "(" + ipv4String(c, p) + ":" + ipv4String(c, p + 4) + ")";
        }
        break;
      case "s":
        for (; end - p >= 2; p += 2, first = false) {
          if (!first) c.out += ",";
          c.out += be16(c, p);
        }
        break;
      case "B":
        for (; p < end; p++, first = false) {
          if (!first) c.out += ",";
          const value = c.bytes[p]!;
          c.out += value === 0 ? "N" : value === 1 ? "Y" : value + "?";
        }
        break;
      case "$":
        p = specialOptionPrint(c, tag, p, len);
        break;
      default:
        for (; p < end; p++, first = false) {
          if (!first) c.out += ".";
          c.out += c.bytes[p]!;
        }
    }
    if (p < end) {
      c.out += "\n\t  trailing data length " + (end - p);
      p = end;
    }
  }
}

/** The options with a layout of their own; returns where their decoding stopped. */
function specialOptionPrint(c: PrintContext, tag: number, p: number, len: number): number {
  const end = p + len;
  switch (tag) {
    case TAG_NETBIOS_NODE:
    case TAG_OPT_OVERLOAD: {
      if (len < 1) {
        c.out += "[ERROR: length < 1 bytes]";
        return p;
      }
      const value = c.bytes[p]!;
      const names = tag === TAG_NETBIOS_NODE ? NETBIOS_NODE : OPTION_OVERLOAD;
      c.out += names.get(value) ?? "#" + value;
      return p + 1;
    }
    case TAG_CLIENT_FQDN: {
      if (len < 3) {
        c.out += "[ERROR: length < 3 bytes]";
        return end;
      }
      const flags = c.bytes[p]!;
      if (flags & 0xf0) c.out += "[ERROR: MBZ nibble 0x" + ((flags & 0xf0) >> 4).toString(16) + " != 0] ";
      if (flags & 0x0f)
        c.out +=
          "[" +
          (flags & 1 ? "S" : "") +
          (flags & 2 ? "O" : "") +
          (flags & 4 ? "E" : "") +
          (flags & 8 ? "N" : "") +
          "] ";
      const rcode1 = c.bytes[p + 1]!;
      const rcode2 = c.bytes[p + 2]!;
      if (rcode1 || rcode2) c.out += rcode1 + "/" + rcode2 + " ";
      c.out += '"';
      printCounted(c, p + 3, len - 3);
      c.out += '"';
      return end;
    }
    case TAG_CLIENT_ID: {
      if (len < 1) {
        c.out += "[ERROR: length < 1 bytes]";
        return p;
      }
      const type = c.bytes[p]!;
      if (type === 0) {
        c.out += '"';
        printCounted(c, p + 1, len - 1);
        c.out += '"';
        return end;
      }
      c.out += (CLIENT_ID_HARDWARE.get(type) ?? "hardware-type " + type + ",") + " ";
      for (let q = p + 1; q < end; q++) c.out += (q > p + 1 ? ":" : "") + hex2(c.bytes[q]!);
      return end;
    }
    case TAG_AGENT_CIRCUIT: {
      while (end - p >= 2) {
        const subopt = c.bytes[p]!;
        const suboptLength = c.bytes[p + 1]!;
        p += 2;
        const subName = AGENT_SUBOPTIONS.get(subopt) ?? "Unknown";
        if (suboptLength > end - p) {
          c.out +=
            "\n\t      " +
            subName +
            " SubOption " +
            subopt +
            ", length " +
            suboptLength +
            ": length goes past end of option";
          return end;
        }
        c.out += "\n\t      " + subName + " SubOption " + subopt + ", length " + suboptLength + ": ";
        if (AGENT_SUBOPTIONS.has(subopt)) printCounted(c, p, suboptLength);
        else printUnknownData(c, p, "\n\t\t", suboptLength);
        p += suboptLength;
      }
      return p;
    }
    case TAG_CLASSLESS_STATIC_ROUTE:
    case TAG_CLASSLESS_STATIC_ROUTE_MS: {
      if (len < 5) {
        c.out += "[ERROR: length < 5 bytes]";
        return end;
      }
      let first = true;
      while (p < end) {
        if (!first) c.out += ",";
        first = false;
        const width = c.bytes[p++]!;
        if (width > 32) {
          c.out += "[ERROR: Mask width (" + width + ") > 32]";
          return end;
        }
        const significant = (width + 7) >> 3;
        if (end - p < significant + 4) {
          c.out += "[ERROR: Remaining length (" + (end - p) + ") < " + (significant + 4) + " bytes]";
          return end;
        }
        c.out += "(";
        if (width === 0) c.out += "default";
        else {
          for (let i = 0; i < significant; i++) c.out += (i > 0 ? "." : "") + c.bytes[p + i]!;
          for (let i = significant; i < 4; i++) c.out += ".0";
          c.out += "/" + width;
        }
        p += significant;
        c.out += ":" + ipv4String(c, p) + ")";
        p += 4;
      }
      return p;
    }
    case TAG_USER_CLASS: {
      if (len < 2) {
        c.out += "[ERROR: length < 2 bytes]";
        return end;
      }
      for (let instance = 1; p < end; instance++) {
        const subLength = c.bytes[p++]!;
        c.out += "\n\t      instance#" + instance + ": ";
        if (subLength === 0) {
          c.out += "[ERROR: suboption length must be non-zero]";
          return end;
        }
        if (end - p < subLength) {
          c.out += "[ERROR: invalid option]";
          return end;
        }
        c.out += '"';
        printCounted(c, p, subLength);
        c.out += '", length ' + subLength;
        p += subLength;
      }
      return p;
    }
    default:
      c.out += "[unknown special tag " + tag + ", size " + len + "]";
      return end;
  }
}

/** CMU's fixed vendor block: the non-zero addresses. */
function cmuPrint(c: PrintContext, at: number): void {
  c.out += " vend-cmu";
  check(c, at + 4, 4);
  const flags = c.bytes[at + 4]!;
  if (flags & ~1) c.out += " F:0x" + flags.toString(16);
  const fields: [number, string][] = [
    [12, "DG"],
    [8, flags & 1 ? "SM" : "SM*"],
    [16, "NS1"],
    [20, "NS2"],
    [24, "IEN1"],
    [28, "IEN2"],
    [32, "TS1"],
    [36, "TS2"],
  ];
  for (const [offset, name] of fields)
    if (be32(c, at + offset) !== 0) c.out += " " + name + ":" + ipv4String(c, at + offset);
}
