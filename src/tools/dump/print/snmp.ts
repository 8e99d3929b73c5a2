// SNMP (RFC 1157, RFC 3416; SNMPv3 RFC 3412 and RFC 3414) as tcpdump prints it without libsmi: a
// walk over the BER encoding, one element at a time, that names each PDU ("GetRequest(28)"), prints
// its variable bindings ("R=… .1.3.6.1.2.1.1.1.0=\"text\"") and, where the encoding is not what
// SNMP expects, says so in brackets ("[!init SEQ]", "[len12<asnlen40]") and stops there.
//
// Two ways of running short, as tcpdump: a length or a value that is checked before it is read
// prints " [|snmp]" and ends the walk normally (so -v's closing braces still follow), a single
// byte read past the capture unwinds the whole packet.

import { hex2 } from "./addr.js";
import { has, printTrunc, u8, type PrintContext } from "./context.js";
import { mibNode, mibRoot, type MibNode } from "./snmp-mib.js";

// Element kinds, after the tag's class and number.
const ANY = 0;
const NULL = 1;
const OCTETS = 2;
const OID = 3;
const INT = 4;
const UNSIGNED = 5;
const STRING = 6;
const SEQUENCE = 7;
const INET_ADDRESS = 8;
const PDU = 9;
const UNSIGNED64 = 10;
const NO_SUCH_OBJECT = 11;
const NO_SUCH_INSTANCE = 12;
const END_OF_MIB_VIEW = 13;

// Tag classes.
const UNIVERSAL = 0;
const APPLICATION = 1;
const CONTEXT = 2;

const UNIVERSAL_NAMES = [
  "U-0",
  "Boolean",
  "Integer",
  "Bitstring",
  "String",
  "Null",
  "ObjID",
  "ObjectDes",
  "U-8",
  "U-9",
  "U-10",
  "U-11",
  "U-12",
  "U-13",
  "U-14",
  "U-15",
  "Sequence",
  "Set",
];
const APPLICATION_NAMES = ["IpAddress", "Counter", "Gauge", "TimeTicks", "Opaque", "C-5", "Counter64"];
const PDU_NAMES = [
  "GetRequest",
  "GetNextRequest",
  "GetResponse",
  "SetRequest",
  "Trap",
  "GetBulk",
  "Inform",
  "V2Trap",
  "Report",
];
const PRIVATE_NAMES = ["P-0"];
const CLASS_NAMES = [UNIVERSAL_NAMES, APPLICATION_NAMES, PDU_NAMES, PRIVATE_NAMES];
const EXCEPTION_NAMES = ["noSuchObject", "noSuchInstance", "endOfMibView"];
const ERROR_STATUS = [
  "noError",
  "tooBig",
  "noSuchName",
  "badValue",
  "readOnly",
  "genErr",
  "noAccess",
  "wrongType",
  "wrongLength",
  "wrongEncoding",
  "wrongValue",
  "noCreation",
  "inconsistentValue",
  "resourceUnavailable",
  "commitFailed",
  "undoFailed",
  "authorizationError",
  "notWritable",
  "inconsistentName",
];
const GENERIC_TRAPS = [
  "coldStart",
  "warmStart",
  "linkDown",
  "linkUp",
  "authenticationFailure",
  "egpNeighborLoss",
  "enterpriseSpecific",
];
const VERSION_NAMES = ["SNMPv1", "SNMPv2c", "SNMPv2u", "SNMPv3"];

const GET_REQUEST = 0;
const GET_NEXT_REQUEST = 1;
const SET_REQUEST = 3;
const TRAP = 4;
const GET_BULK = 5;
const INFORM = 6;
const V2_TRAP = 7;
const REPORT = 8;
const ENTERPRISE_SPECIFIC = 6;
const VERSION_1 = 0;
const VERSION_2C = 1;
const VERSION_3 = 3;
const USER_SECURITY_MODEL = 3;
/** The first two sub-identifiers share the first byte: 40 × first + second. */
const OID_FIRST_BASE = 40;

/** The element just parsed (one at a time, so one is enough). */
const el = {
  type: ANY,
  id: 0,
  /** Contents length. */
  asnlen: 0,
  /** Offset of the contents. */
  data: 0,
  /** INT's signed value, an unsigned 32-bit value, or Counter64's low half. */
  value: 0,
  /** Counter64's high half. */
  high: 0,
};

/** Prefixes tcpdump shortens without -n: encoded OID prefix, what it prints, the node it stands for. */
interface Abbreviation {
  readonly encoded: readonly number[];
  readonly prefix: string;
  readonly node: MibNode;
}
let abbreviations: Abbreviation[] | undefined;
function abbreviationList(): Abbreviation[] {
  abbreviations ??= [
    { encoded: [43, 6, 1, 2, 1], prefix: "", node: mibNode("1.3.6.1.2.1") },
    { encoded: [43, 6, 1, 4, 1], prefix: "E:", node: mibNode("1.3.6.1.4.1") },
    { encoded: [43, 6, 1, 3], prefix: "X:", node: mibNode("1.3.6.1.3") },
    { encoded: [43, 6, 1, 6, 3], prefix: "S:", node: mibNode("1.3.6.1.6.3") },
  ];
  return abbreviations;
}

/**
 * Parses the element at `at`, at most `len` bytes long, into `el`. Returns its whole length, or -1
 * after printing why it is not usable.
 */
function parse(c: PrintContext, at: number, len: number): number {
  el.asnlen = 0;
  el.type = ANY;
  if (len < 1) {
    c.out += "[nothing to parse]";
    return -1;
  }
  const tag = u8(c, at);
  let id = tag & 0x1f;
  const constructed = (tag & 0x20) !== 0;
  const cls = tag >> 6;
  el.id = id;
  let p = at + 1;
  len--;
  let hdr = 1;
  if (id === 0x1f) {
    // A long tag number; tcpdump keeps only its low eight bits.
    id = 0;
    while (u8(c, p) & 0x80) {
      if (len < 1) {
        c.out += "[Xtagfield?]";
        return -1;
      }
      id = ((id << 7) | (u8(c, p) & 0x7f)) & 0xff;
      len--;
      hdr++;
      p++;
    }
    if (len < 1) {
      c.out += "[Xtagfield?]";
      return -1;
    }
    id = ((id << 7) | u8(c, p)) & 0xff;
    el.id = id;
    len--;
    hdr++;
    p++;
  }
  if (len < 1) {
    c.out += "[no asnlen]";
    return -1;
  }
  let asnlen = u8(c, p);
  p++;
  len--;
  hdr++;
  if (asnlen & 0x80) {
    let octets = asnlen & 0x7f;
    asnlen = 0;
    if (len < octets) {
      c.out += "[asnlen? " + len + "<" + octets + "]";
      return -1;
    }
    if (!has(c, p, octets)) {
      printTrunc(c);
      return -1;
    }
    for (; octets !== 0; len--, hdr++, octets--) {
      asnlen = ((asnlen << 8) | u8(c, p)) >>> 0;
      p++;
    }
  }
  el.asnlen = asnlen;
  if (len < asnlen) {
    c.out += "[len" + len + "<asnlen" + asnlen + "]";
    return -1;
  }
  const names = CLASS_NAMES[cls]!;
  if (id >= names.length) {
    // tcpdump's class names never were filled in: they all print as "x".
    c.out += "[id?" + (constructed ? "C" : "P") + "/x/" + id + "]";
    return -1;
  }
  if (!has(c, p, asnlen)) {
    printTrunc(c);
    return -1;
  }
  el.data = p;
  if (!constructed) {
    if (cls === UNIVERSAL) {
      if (id === 4) el.type = STRING;
      else if (id === 2) {
        el.type = INT;
        if (asnlen === 0) {
          c.out += "[asnlen=0]";
          return -1;
        }
        let v = u8(c, p) & 0x80 ? -1 : 0;
        for (let i = 0; i < asnlen; i++) v = (v << 8) | u8(c, p + i);
        el.value = v;
      } else if (id === 6) el.type = OID;
      else if (id === 5) el.type = NULL;
      else {
        el.type = OCTETS;
        c.out += "[P/U/" + names[id] + "]";
      }
    } else if (cls === APPLICATION) {
      if (id === 0) el.type = INET_ADDRESS;
      else if (id >= 1 && id <= 3) {
        el.type = UNSIGNED;
        let v = 0;
        for (let i = 0; i < asnlen; i++) v = ((v << 8) + u8(c, p + i)) >>> 0;
        el.value = v;
      } else if (id === 6) {
        el.type = UNSIGNED64;
        let high = 0;
        let low = 0;
        for (let i = 0; i < asnlen; i++) {
          high = ((high << 8) | (low >>> 24)) >>> 0;
          low = ((low << 8) | u8(c, p + i)) >>> 0;
        }
        el.high = high;
        el.value = low;
      } else {
        el.type = OCTETS;
        c.out += "[P/A/" + names[id] + "]";
      }
    } else if (cls === CONTEXT) {
      // Other context tags stay ANY, which prints as "[BE_ANY!?]".
      if (id === 0) el.type = NO_SUCH_OBJECT;
      else if (id === 1) el.type = NO_SUCH_INSTANCE;
      else if (id === 2) el.type = END_OF_MIB_VIEW;
    } else {
      c.out += "[P/x/" + names[id] + "]";
      el.type = OCTETS;
    }
  } else if (cls === UNIVERSAL) {
    if (id === 16) el.type = SEQUENCE;
    else {
      el.type = OCTETS;
      c.out += "C/U/" + names[id];
    }
  } else if (cls === CONTEXT) el.type = PDU;
  else {
    el.type = OCTETS;
    c.out += "C/x/" + names[id];
  }
  return asnlen + hdr;
}

/** The element's bytes as "_xx" each. */
function octetsPrint(c: PrintContext, at: number, len: number): number {
  if (!has(c, at, len)) {
    printTrunc(c);
    return -1;
  }
  for (let i = 0; i < len; i++) c.out += "_" + hex2(c.bytes[at + i]!);
  return 0;
}

/** A string in quotes when every byte is printable ASCII, else its bytes as "xx_xx…". */
function stringPrint(c: PrintContext, at: number, len: number): number {
  if (!has(c, at, len)) {
    printTrunc(c);
    return -1;
  }
  const b = c.bytes;
  let printable = true;
  for (let i = 0; i < len; i++) {
    const x = b[at + i]!;
    if (x < 0x20 || x > 0x7e) {
      printable = false;
      break;
    }
  }
  if (printable) {
    c.out += '"';
    for (let i = 0; i < len; i++) c.out += String.fromCharCode(b[at + i]!);
    c.out += '"';
  } else {
    for (let i = 0; i < len; i++) c.out += (i === 0 ? "" : "_") + hex2(b[at + i]!);
  }
  return 0;
}

/** Where the OID walk is in the MIB: the siblings the next sub-identifier is looked up among. */
let mibList: Map<number, MibNode> | undefined;

/** One sub-identifier: its name while the walk is still inside the MIB, else its number. */
function subidPrint(c: PrintContext, subid: number, noDot: boolean): void {
  const node = mibList?.get(subid);
  if (!noDot) c.out += ".";
  if (node !== undefined) {
    c.out += node.name;
    mibList = node.children;
  } else {
    mibList = undefined;
    c.out += subid >>> 0;
  }
}

function oidPrint(c: PrintContext, at: number, len: number): void {
  let p = at;
  let i = len;
  // tcpdump's sub-identifier is a C int: wide ones wrap and print as unsigned.
  let o = 0;
  let first = -1;
  mibList = undefined;
  if (!c.flags.numeric && len > 2) {
    for (const a of abbreviationList()) {
      const n = a.encoded.length;
      if (i < n || !has(c, p, n)) continue;
      let same = true;
      for (let k = 0; k < n && same; k++) same = c.bytes[p + k] === a.encoded[k];
      if (!same) continue;
      mibList = a.node.children;
      i -= n;
      p += n;
      c.out += a.prefix;
      first = 1;
      break;
    }
  }
  for (; i !== 0; p++, i--) {
    const b = u8(c, p);
    o = ((o << 7) + (b & 0x7f)) | 0;
    if (b & 0x80) continue;
    if (first < 0) {
      if (!c.flags.numeric) mibList = mibRoot();
      first = 0;
      let top = (o / OID_FIRST_BASE) | 0;
      if (top > 2) top = 2;
      subidPrint(c, top, false);
      o = (o - top * OID_FIRST_BASE) | 0;
    }
    subidPrint(c, o, first > 0);
    if (--first < 0) first = 0;
    o = 0;
  }
}

/** Prints the element in `el`; -1 when its contents run past the capture. */
function elementPrint(c: PrintContext): number {
  const len = el.asnlen;
  switch (el.type) {
    case OCTETS:
      return octetsPrint(c, el.data, len);
    case NULL:
      break;
    case OID:
      oidPrint(c, el.data, len);
      break;
    case INT:
      c.out += el.value;
      break;
    case UNSIGNED:
      c.out += el.value >>> 0;
      break;
    case UNSIGNED64:
      c.out += el.high === 0 ? String(el.value) : String((BigInt(el.high) << 32n) | BigInt(el.value));
      break;
    case STRING:
      return stringPrint(c, el.data, len);
    case SEQUENCE:
      c.out += "Seq(" + len + ")";
      break;
    case INET_ADDRESS:
      if (len !== 4) c.out += "[inetaddr len!=4]";
      if (!has(c, el.data, len)) {
        printTrunc(c);
        return -1;
      }
      for (let i = 0; i < len; i++) c.out += (i === 0 ? "" : ".") + c.bytes[el.data + i]!;
      break;
    case NO_SUCH_OBJECT:
    case NO_SUCH_INSTANCE:
    case END_OF_MIB_VIEW:
      c.out += "[" + EXCEPTION_NAMES[el.id] + "]";
      break;
    case PDU:
      c.out += PDU_NAMES[el.id] + "(" + len + ")";
      break;
    default:
      c.out += "[BE_ANY!?]";
  }
  return 0;
}

/**
 * Parses the next element and checks its kind; on a mismatch prints "[what]" and the element, as
 * tcpdump does. Returns the element's length or -1.
 */
function expect(c: PrintContext, at: number, len: number, type: number, what: string): number {
  const count = parse(c, at, len);
  if (count < 0) return -1;
  if (el.type !== type) {
    c.out += "[" + what + "]";
    elementPrint(c);
    return -1;
  }
  return count;
}

const isRequest = (pdu: number): boolean => pdu === GET_REQUEST || pdu === GET_NEXT_REQUEST || pdu === GET_BULK;
/** PDUs whose error-status and error-index must be zero. */
const mustBeClean = (pdu: number): boolean =>
  pdu === GET_REQUEST ||
  pdu === GET_NEXT_REQUEST ||
  pdu === SET_REQUEST ||
  pdu === INFORM ||
  pdu === V2_TRAP ||
  pdu === REPORT;

function errorStatusName(status: number): string {
  return status >= 0 && status < ERROR_STATUS.length ? ERROR_STATUS[status]! : "err=" + (status >>> 0);
}

/** The variable bindings: " name=value" each (no "=value" in requests). */
function varbindsPrint(c: PrintContext, pdu: number, at: number, length: number): void {
  let count = expect(c, at, length, SEQUENCE, "!SEQ of varbind");
  if (count < 0) return;
  if (count < length) c.out += "[" + (length - count) + " extra after SEQ of varbind]";
  length = el.asnlen;
  let np = el.data;
  while (length) {
    c.out += " ";
    count = expect(c, np, length, SEQUENCE, "!varbind");
    if (count < 0) return;
    const next = np + count;
    const remaining = length - count;
    length = el.asnlen;
    np = el.data;
    count = expect(c, np, length, OID, "objName!=OID");
    if (count < 0) return;
    if (elementPrint(c) < 0) return;
    length -= count;
    np += count;
    const request = isRequest(pdu);
    if (!request) c.out += "=";
    if (parse(c, np, length) < 0) return;
    if (request) {
      if (el.type !== NULL) {
        c.out += "[objVal!=NULL]";
        if (elementPrint(c) < 0) return;
      }
    } else if (el.type !== NULL && elementPrint(c) < 0) return;
    length = remaining;
    np = next;
  }
}

/** Every PDU but the SNMPv1 Trap: request id, error status and index, bindings. */
function requestPduPrint(c: PrintContext, pdu: number, at: number, length: number): void {
  let count = expect(c, at, length, INT, "reqId!=INT");
  if (count < 0) return;
  if (c.flags.verbose) c.out += "R=" + el.value + " ";
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "errorStatus!=INT");
  if (count < 0) return;
  let errorStatus = 0;
  if (mustBeClean(pdu) && el.value !== 0) c.out += "[errorStatus(" + errorStatusName(el.value) + ")!=0]";
  else if (pdu === GET_BULK) c.out += " N=" + el.value;
  else if (el.value !== 0) {
    c.out += " " + errorStatusName(el.value);
    errorStatus = el.value;
  }
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "errorIndex!=INT");
  if (count < 0) return;
  if (mustBeClean(pdu) && el.value !== 0) c.out += "[errorIndex(" + el.value + ")!=0]";
  else if (pdu === GET_BULK) c.out += " M=" + el.value;
  else if (el.value !== 0) {
    if (!errorStatus) c.out += "[errorIndex(" + el.value + ") w/o errorStatus]";
    else c.out += "@" + el.value;
  } else if (errorStatus) c.out += "[errorIndex==0]";
  length -= count;
  at += count;

  varbindsPrint(c, pdu, at, length);
}

/** The SNMPv1 Trap: enterprise, agent address, generic and specific trap, time stamp, bindings. */
function trapPduPrint(c: PrintContext, at: number, length: number): void {
  c.out += " ";
  let count = expect(c, at, length, OID, "enterprise!=OID");
  if (count < 0 || elementPrint(c) < 0) return;
  length -= count;
  at += count;
  c.out += " ";

  count = expect(c, at, length, INET_ADDRESS, "agent-addr!=INETADDR");
  if (count < 0 || elementPrint(c) < 0) return;
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "generic-trap!=INT");
  if (count < 0) return;
  const generic = el.value;
  c.out += " " + (generic >= 0 && generic < GENERIC_TRAPS.length ? GENERIC_TRAPS[generic] : "gt=" + generic);
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "specific-trap!=INT");
  if (count < 0) return;
  if (generic !== ENTERPRISE_SPECIFIC) {
    if (el.value !== 0) c.out += "[specific-trap(" + el.value + ")!=0]";
  } else c.out += " s=" + el.value;
  length -= count;
  at += count;
  c.out += " ";

  count = expect(c, at, length, UNSIGNED, "time-stamp!=TIMETICKS");
  if (count < 0 || elementPrint(c) < 0) return;
  length -= count;
  at += count;

  varbindsPrint(c, TRAP, at, length);
}

function pduPrint(c: PrintContext, at: number, length: number, version: number): void {
  const count = parse(c, at, length);
  if (count < 0) return;
  if (el.type !== PDU) {
    c.out += "[no PDU]";
    return;
  }
  if (count < length) c.out += "[" + (length - count) + " extra after PDU]";
  if (c.flags.verbose) c.out += "{ ";
  if (elementPrint(c) < 0) return;
  c.out += " ";
  const pdu = el.id;
  length = el.asnlen;
  at = el.data;
  if (version === VERSION_1 && (pdu === GET_BULK || pdu === INFORM || pdu === V2_TRAP || pdu === REPORT)) {
    c.out += "[v2 PDU in v1 message]";
    return;
  }
  if (version === VERSION_2C && pdu === TRAP) {
    c.out += "[v1 PDU in v2 message]";
    return;
  }
  if (pdu === TRAP) trapPduPrint(c, at, length);
  else requestPduPrint(c, pdu, at, length);
  if (c.flags.verbose) c.out += " } ";
}

/** SNMPv3's scoped PDU: context engine id and name, then the PDU. */
function scopedPduPrint(c: PrintContext, at: number, length: number): void {
  let count = expect(c, at, length, SEQUENCE, "!scoped PDU");
  if (count < 0) return;
  length = el.asnlen;
  at = el.data;

  count = expect(c, at, length, STRING, "contextEngineID!=STR");
  if (count < 0) return;
  length -= count;
  at += count;
  c.out += "E=";
  if (octetsPrint(c, el.data, el.asnlen) < 0) return;
  c.out += " ";

  count = expect(c, at, length, STRING, "contextName!=STR");
  if (count < 0) return;
  length -= count;
  at += count;
  c.out += "C=";
  if (stringPrint(c, el.data, el.asnlen) < 0) return;
  c.out += " ";

  pduPrint(c, at, length, VERSION_3);
}

/** SNMPv1 and v2c: the community ("public", the default, is not shown), then the PDU. */
function communityPrint(c: PrintContext, at: number, length: number, version: number): void {
  const count = expect(c, at, length, STRING, "comm!=STR");
  if (count < 0) return;
  const b = c.bytes;
  const d = el.data;
  const isPublic =
    el.asnlen === 6 &&
    b[d] === 0x70 &&
    b[d + 1] === 0x75 &&
    b[d + 2] === 0x62 &&
    b[d + 3] === 0x6c &&
    b[d + 4] === 0x69 &&
    b[d + 5] === 0x63;
  if (!isPublic) {
    c.out += "C=";
    if (stringPrint(c, d, el.asnlen) < 0) return;
    c.out += " ";
  }
  pduPrint(c, at + count, length - count, version);
}

/** The user-based security model's parameters: engine boots and time (-v), user name. */
function usmPrint(c: PrintContext, at: number, length: number): void {
  let count = expect(c, at, length, SEQUENCE, "!usm");
  if (count < 0) return;
  length = el.asnlen;
  at = el.data;

  count = expect(c, at, length, STRING, "msgAuthoritativeEngineID!=STR");
  if (count < 0) return;
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "msgAuthoritativeEngineBoots!=INT");
  if (count < 0) return;
  if (c.flags.verbose) c.out += "B=" + el.value + " ";
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "msgAuthoritativeEngineTime!=INT");
  if (count < 0) return;
  if (c.flags.verbose) c.out += "T=" + el.value + " ";
  length -= count;
  at += count;

  count = expect(c, at, length, STRING, "msgUserName!=STR");
  if (count < 0) return;
  length -= count;
  at += count;
  c.out += "U=";
  if (stringPrint(c, el.data, el.asnlen) < 0) return;
  c.out += " ";

  count = expect(c, at, length, STRING, "msgAuthenticationParameters!=STR");
  if (count < 0) return;
  length -= count;
  at += count;

  count = expect(c, at, length, STRING, "msgPrivacyParameters!=STR");
  if (count < 0) return;
  length -= count;
  // tcpdump compares the last field's length with what is left after it.
  if (count < length) c.out += "[" + (length - count) + " extra after usm SEQ]";
}

/** SNMPv3: the message header (flags, security model), the USM parameters, the scoped PDU. */
function v3MessagePrint(c: PrintContext, start: number, total: number): void {
  let count = expect(c, start, total, SEQUENCE, "!message");
  if (count < 0) return;
  let length = el.asnlen;
  let at = el.data;
  const verbose = c.flags.verbose > 0;
  if (verbose) c.out += "{ ";

  count = expect(c, at, length, INT, "msgID!=INT");
  if (count < 0) return;
  length -= count;
  at += count;

  count = expect(c, at, length, INT, "msgMaxSize!=INT");
  if (count < 0) return;
  length -= count;
  at += count;

  count = expect(c, at, length, STRING, "msgFlags!=STR");
  if (count < 0) return;
  if (el.asnlen !== 1) {
    c.out += "[msgFlags size " + el.asnlen + "]";
    return;
  }
  const flags = u8(c, el.data);
  if (flags !== 0x00 && flags !== 0x01 && flags !== 0x03 && flags !== 0x04 && flags !== 0x05 && flags !== 0x07) {
    c.out += "[msgFlags=0x" + hex2(flags).toUpperCase() + "]";
    return;
  }
  length -= count;
  at += count;
  c.out += "F=" + (flags & 0x01 ? "a" : "") + (flags & 0x02 ? "p" : "") + (flags & 0x04 ? "r" : "") + " ";

  count = expect(c, at, length, INT, "msgSecurityModel!=INT");
  if (count < 0) return;
  const model = el.value;
  length -= count;
  at += count;
  if (count < length) c.out += "[" + (length - count) + " extra after message SEQ]";
  if (verbose) c.out += "} ";
  if (model !== USER_SECURITY_MODEL) {
    c.out += "[security model " + model + "]";
    return;
  }
  if (verbose) c.out += "{ USM ";

  // The security parameters follow the header's last field, whatever the header's own length said.
  length = total - (at - start);
  count = expect(c, at, length, STRING, "msgSecurityParameters!=STR");
  if (count < 0) return;
  length -= count;
  usmPrint(c, el.data, el.asnlen);
  at += count;
  if (verbose) c.out += "} ";
  if (verbose) c.out += "{ ScopedPDU ";
  scopedPduPrint(c, at, length);
  if (verbose) c.out += "} ";
}

export function snmpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "snmp";
  c.out += " ";
  let count = expect(c, at, length, SEQUENCE, "!init SEQ");
  if (count < 0) return;
  if (count < length) c.out += "[" + (length - count) + " extra after iSEQ]";
  length = el.asnlen;
  at = el.data;

  count = expect(c, at, length, INT, "version!=INT");
  if (count < 0) return;
  const version = el.value;
  if (version !== VERSION_1 && version !== VERSION_2C && version !== VERSION_3) {
    c.out += "SNMP [version = " + version + "]";
    return;
  }
  if (c.flags.verbose) c.out += "{ " + VERSION_NAMES[version] + " ";
  length -= count;
  at += count;
  if (version === VERSION_3) v3MessagePrint(c, at, length);
  else communityPrint(c, at, length, version);
  if (c.flags.verbose) c.out += "} ";
}
