// DHCPv6 (RFC 8415) as tcpdump prints it: "dhcp6 solicit" without -v; with -v the transaction id
// (or a relay's link and peer addresses) and every option in parentheses, relayed messages
// printed inside their option. An option running past the message ends the list with " [|dhcp6]"
// without unwinding, as tcpdump's does; a field cut short by the capture unwinds.

import { hex2, hex4, ipv6String } from "./addr.js";
import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { printName } from "./domain.js";
import { printableChar } from "./unknown.js";

const MESSAGE_TYPES = [
  "",
  "solicit",
  "advertise",
  "request",
  "confirm",
  "renew",
  "rebind",
  "reply",
  "release",
  "decline",
  "reconfigure",
  "inf-req",
  "relay-fwd",
  "relay-reply",
  "leasequery",
  "leasequery-reply",
];
const RELAY_FORWARD = 12;
const RELAY_REPLY = 13;
const RENEW = 5;
const INFORMATION_REQUEST = 11;

const OPTION_NAMES = new Map<number, string>([
  [1, "client-ID"],
  [2, "server-ID"],
  [3, "IA_NA"],
  [4, "IA_TA"],
  [5, "IA_ADDR"],
  [6, "option-request"],
  [7, "preference"],
  [8, "elapsed-time"],
  [9, "relay-message"],
  [11, "authentication"],
  [12, "server-unicast"],
  [13, "status-code"],
  [14, "rapid-commit"],
  [15, "user-class"],
  [16, "vendor-class"],
  [17, "vendor-specific-info"],
  [18, "interface-ID"],
  [19, "reconfigure-message"],
  [20, "reconfigure-accept"],
  [21, "SIP-servers-domain"],
  [22, "SIP-servers-address"],
  [23, "DNS-server"],
  [24, "DNS-search-list"],
  [25, "IA_PD"],
  [26, "IA_PD-prefix"],
  [27, "NIS-server"],
  [28, "NIS+-server"],
  [29, "NIS-domain-name"],
  [30, "NIS+-domain-name"],
  [31, "SNTP-servers"],
  [32, "lifetime"],
  [33, "BCMCS-domain-name"],
  [34, "BCMCS-server"],
  [36, "Geoconf-Civic"],
  [37, "Remote-ID"],
  [38, "Subscriber-ID"],
  [39, "Client-FQDN"],
  [40, "PANA-agent"],
  [41, "POSIX-timezone"],
  [42, "POSIX-tz-database"],
  [43, "Echo-request-option"],
  [44, "Lease-query"],
  [45, "LQ-client-data"],
  [46, "Clt-time"],
  [47, "LQ-relay-data"],
  [48, "LQ-client-link"],
  [56, "NTP-server"],
  [64, "AFTR-Name"],
  [112, "MUD-URL"],
]);

const STATUS_CODES = [
  "Success",
  "UnspecFail",
  "NoAddrsAvail",
  "NoBinding",
  "NotOnLink",
  "UseMulticast",
  "NoPrefixAvail",
  "UnknownQueryType",
  "MalformedQuery",
  "NotConfigured",
  "NotAllowed",
];

function optionName(type: number): string {
  return OPTION_NAMES.get(type) ?? "opt_" + type;
}

function hexBytes(c: PrintContext, at: number, count: number): string {
  let s = "";
  for (let i = 0; i < count; i++) s += hex2(u8(c, at + i));
  return s;
}

export function dhcp6Print(c: PrintContext, at: number, length: number): void {
  c.protocol = "dhcp6";
  c.out += "dhcp6";
  if (!has(c, at, 4)) return printTrunc(c);
  const type = u8(c, at);
  const name = type >= 1 && type < MESSAGE_TYPES.length ? MESSAGE_TYPES[type] : "msgtype-" + type;
  if (!c.flags.verbose) {
    c.out += " " + name;
    return;
  }
  const end = Math.min(c.snapend, at + length);
  c.out += " " + name + " (";
  if (type !== RELAY_FORWARD && type !== RELAY_REPLY) {
    c.out += "xid=" + (be32(c, at) & 0xffffff).toString(16);
    optionsPrint(c, at + 4, end);
  } else {
    c.out += "linkaddr=" + ipv6String(c, at + 2);
    c.out += " peeraddr=" + ipv6String(c, at + 18);
    optionsPrint(c, at + 34, end);
  }
  c.out += ")";
}

/** The options in [at, end); returns normally, after " [|dhcp6]", when one runs past the end. */
function optionsPrint(c: PrintContext, at: number, end: number): void {
  let p = at;
  while (p < end) {
    if (end < p + 4) return printTrunc(c);
    const length = be16(c, p + 2);
    if (end < p + 4 + length) return printTrunc(c);
    const type = be16(c, p);
    c.out += " (" + optionName(type);
    const v = p + 4;
    if (!optionPrint(c, type, v, length)) return printTrunc(c);
    p = v + length;
  }
}

/** One option's value and closing parenthesis; false where tcpdump gives up on the list. */
function optionPrint(c: PrintContext, type: number, v: number, length: number): boolean {
  const invalid = (): boolean => {
    c.out += " ?)";
    return true;
  };
  switch (type) {
    case 1:
    case 2: {
      if (length < 2) return invalid();
      const duid = be16(c, v);
      if (duid === 1) {
        if (length < 8) return invalid();
        c.out +=
          " hwaddr/time type " + be16(c, v + 2) + " time " + be32(c, v + 4) + " " + hexBytes(c, v + 8, length - 8);
      } else if (duid === 2) {
        // The enterprise number and the first four bytes of its identifier.
        if (length < 10) return invalid();
        c.out += " vid " + hexBytes(c, v + 2, 8);
      } else if (duid === 3) {
        if (length < 4) return invalid();
        c.out += " hwaddr type " + be16(c, v + 2) + " " + hexBytes(c, v + 4, length - 4);
      } else {
        c.out += " type " + duid + ")";
        return true;
      }
      c.out += ")";
      return true;
    }
    case 5:
      if (length < 24) return invalid();
      c.out += " " + ipv6String(c, v) + " pltime:" + be32(c, v + 16) + " vltime:" + be32(c, v + 20);
      if (length > 24) optionsPrint(c, v + 24, v + length);
      c.out += ")";
      return true;
    case 6:
    case 43:
      if (length % 2) return invalid();
      for (let i = 0; i < length; i += 2) c.out += " " + optionName(be16(c, v + i));
      c.out += ")";
      return true;
    case 7:
      if (length !== 1) return invalid();
      c.out += " " + u8(c, v) + ")";
      return true;
    case 8:
      if (length !== 2) return invalid();
      c.out += " " + be16(c, v) + ")";
      return true;
    case 9: {
      c.out += " (";
      // The relayed message ends with the option, whatever follows it.
      const saved = c.snapend;
      if (v + length < c.snapend) c.snapend = v + length;
      try {
        dhcp6Print(c, v, length);
      } finally {
        c.snapend = saved;
      }
      c.out += ")";
      return true;
    }
    case 11:
      return authenticationPrint(c, v, length);
    case 14:
    case 20:
      c.out += ")";
      return true;
    case 18:
    case 38: {
      // The encoding is unknown: the first ten bytes in hex.
      c.out += " " + hexBytes(c, v, Math.min(length, 10)) + "...)";
      return true;
    }
    case 19: {
      if (length !== 1) return invalid();
      const kind = u8(c, v);
      c.out +=
        kind === RENEW
          ? " for renew)"
          : kind === INFORMATION_REQUEST
            ? " for inf-req)"
            : " for ???(" + kind.toString(16).padStart(2, "0") + "))";
      return true;
    }
    case 22:
    case 23:
    case 31:
    case 27:
    case 28:
    case 34:
    case 40:
    case 48:
      if (length % 16) return invalid();
      for (let i = 0; i < length; i += 16) c.out += " " + ipv6String(c, v + i);
      c.out += ")";
      return true;
    case 21:
    case 24: {
      let p = v;
      while (p < v + length) {
        c.out += " ";
        p = printName(c, p, v + length);
        if (p < 0) return false;
      }
      c.out += ")";
      return true;
    }
    case 13: {
      if (length < 2) return invalid();
      const code = be16(c, v);
      c.out += " " + (code > 255 ? "INVALID code" : (STATUS_CODES[code] ?? "code" + code)) + ")";
      return true;
    }
    case 3:
    case 25:
      if (length < 12) return invalid();
      c.out += " IAID:" + be32(c, v) + " T1:" + be32(c, v + 4) + " T2:" + be32(c, v + 8);
      if (length > 12) optionsPrint(c, v + 12, v + length);
      c.out += ")";
      return true;
    case 4:
      if (length < 4) return invalid();
      c.out += " IAID:" + be32(c, v);
      if (length > 4) optionsPrint(c, v + 4, v + length);
      c.out += ")";
      return true;
    case 26:
      if (length < 25) return invalid();
      c.out += " " + ipv6String(c, v + 9) + "/" + u8(c, v + 8);
      c.out += " pltime:" + be32(c, v) + " vltime:" + be32(c, v + 4);
      if (length > 25) optionsPrint(c, v + 25, v + length);
      c.out += ")";
      return true;
    case 32:
    case 46:
      if (length !== 4) return invalid();
      c.out += " " + be32(c, v) + ")";
      return true;
    case 37:
      if (length < 4) return invalid();
      c.out += " " + be32(c, v) + " " + hexBytes(c, v + 4, Math.min(length, 14) - 4) + "...)";
      return true;
    case 44: {
      if (length < 17) return invalid();
      const query = u8(c, v);
      c.out += query === 1 ? " by-address" : query === 2 ? " by-clientID" : " type_" + query;
      c.out += " " + ipv6String(c, v + 1);
      if (length > 17) optionsPrint(c, v + 17, v + length);
      c.out += ")";
      return true;
    }
    case 45:
      if (length > 0) optionsPrint(c, v, v + length);
      c.out += ")";
      return true;
    case 47:
      if (length < 16) return invalid();
      c.out += " " + ipv6String(c, v) + " " + hexBytes(c, v + 16, Math.min(length, 26) - 16) + "...)";
      return true;
    case 56:
      return ntpServerPrint(c, v, length);
    case 64:
      return aftrNamePrint(c, v, length);
    case 41:
    case 42:
    case 112:
      if (length < 5) return invalid();
      c.out += " ";
      printCountedStopAtNul(c, v, length);
      c.out += ")";
      return true;
    default:
      c.out += ")";
      return true;
  }
}

/** Text of `count` bytes, stopping at a NUL, each byte as tcpdump renders it. */
function printCountedStopAtNul(c: PrintContext, at: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const byte = u8(c, at + i);
    if (byte === 0) return;
    c.out += printableChar(byte);
  }
}

function authenticationPrint(c: PrintContext, v: number, length: number): boolean {
  if (length < 11) {
    c.out += " ?)";
    return true;
  }
  const proto = u8(c, v);
  c.out += proto === 2 ? " proto: delayed" : proto === 3 ? " proto: reconfigure" : " proto: " + proto;
  const alg = u8(c, v + 1);
  c.out += alg === 1 ? ", alg: HMAC-MD5" : ", alg: " + alg;
  const rdm = u8(c, v + 2);
  c.out += rdm === 0 ? ", RDM: mono" : ", RDM: " + rdm;
  c.out += ", RD:";
  for (let i = 0; i < 4; i++) c.out += " " + hex4(be16(c, v + 3 + 2 * i));
  let p = v + 11;
  const infoLength = length - 11;
  if (proto === 2) {
    if (infoLength !== 0) {
      if (infoLength < 20) c.out += " ??";
      else {
        const realmLength = infoLength - 20;
        if (realmLength > 0) c.out += ", realm: ";
        c.out += hexBytes(c, p, realmLength);
        p += realmLength;
        c.out += ", key ID: " + be32(c, p).toString(16).padStart(8, "0");
        p += 4;
        c.out += ", HMAC-MD5:";
        for (let i = 0; i < 4; i++, p += 4) c.out += " " + be32(c, p).toString(16).padStart(8, "0");
      }
    }
  } else if (proto === 3) {
    if (infoLength !== 17) c.out += " ??";
    else {
      const kind = u8(c, p++);
      c.out += kind === 1 ? " reconfig-key" : kind === 2 ? " type: HMAC-MD5" : " type: ??";
      c.out += " value:";
      for (let i = 0; i < 4; i++, p += 4) c.out += " " + be32(c, p).toString(16).padStart(8, "0");
    }
  } else {
    c.out += " ??";
  }
  c.out += ")";
  return true;
}

function ntpServerPrint(c: PrintContext, v: number, length: number): boolean {
  if (length < 4) {
    c.out += " ?)";
    return true;
  }
  const end = v + length;
  let p = v;
  while (p < end - 4) {
    const code = be16(c, p);
    const subLength = be16(c, p + 2);
    p += 4;
    if (p + subLength > end) return false;
    c.out += " subopt:" + code;
    if (code === 1 || code === 2) {
      c.out += subLength !== 16 ? " ?" : " " + ipv6String(c, p);
    } else if (code === 3) {
      c.out += " ";
      if (printName(c, p, p + subLength) < 0) return false;
    } else {
      c.out += " ?";
    }
    p += subLength;
  }
  c.out += ")";
  return true;
}

/** The AFTR name (RFC 6334): DNS labels printed with dots, without a trailing one. */
function aftrNamePrint(c: PrintContext, v: number, length: number): boolean {
  if (length < 3) {
    c.out += " ?)";
    return true;
  }
  let p = v;
  let remaining = length;
  c.out += " ";
  while (remaining && u8(c, p)) {
    const labelLength = u8(c, p++);
    if (labelLength < remaining - 1) {
      printCountedStopAtNul(c, p, labelLength);
      p += labelLength;
      remaining -= labelLength + 1;
      if (u8(c, p)) c.out += ".";
    } else {
      c.out += " ?";
      break;
    }
  }
  c.out += ")";
  return true;
}
