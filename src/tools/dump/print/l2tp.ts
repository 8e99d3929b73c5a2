// L2TP (RFC 2661) on UDP port 1701: the header flags, tunnel and session IDs and sequence numbers,
// then a control message's AVPs (each decoded as tcpdump decodes it) or the PPP frame of a data
// message in braces. L2F (version 1) is named only, as tcpdump does.

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex2, hex4 } from "./addr.js";
import { printCountedText } from "./unknown.js";
import { pppPrint } from "./ppp.js";

const FLAG_TYPE = 0x8000;
const FLAG_LENGTH = 0x4000;
const FLAG_SEQUENCE = 0x0800;
const FLAG_OFFSET = 0x0200;
const FLAG_PRIORITY = 0x0100;
const AVP_MANDATORY = 0x8000;
const AVP_HIDDEN = 0x4000;
const AVP_LENGTH_MASK = 0x03ff;
const TOO_SHORT = "AVP too short";

const MESSAGE_TYPES = new Map([
  [1, "SCCRQ"],
  [2, "SCCRP"],
  [3, "SCCCN"],
  [4, "StopCCN"],
  [6, "HELLO"],
  [7, "OCRQ"],
  [8, "OCRP"],
  [9, "OCCN"],
  [10, "ICRQ"],
  [11, "ICRP"],
  [12, "ICCN"],
  [14, "CDN"],
  [15, "WEN"],
  [16, "SLI"],
]);
const AVP_NAMES = [
  "MSGTYPE",
  "RESULT_CODE",
  "PROTO_VER",
  "FRAMING_CAP",
  "BEARER_CAP",
  "TIE_BREAKER",
  "FIRM_VER",
  "HOST_NAME",
  "VENDOR_NAME",
  "ASSND_TUN_ID",
  "RECV_WIN_SIZE",
  "CHALLENGE",
  "Q931_CC",
  "CHALLENGE_RESP",
  "ASSND_SESS_ID",
  "CALL_SER_NUM",
  "MINIMUM_BPS",
  "MAXIMUM_BPS",
  "BEARER_TYPE",
  "FRAMING_TYPE",
  "PACKET_PROC_DELAY",
  "CALLED_NUMBER",
  "CALLING_NUMBER",
  "SUB_ADDRESS",
  "TX_CONN_SPEED",
  "PHY_CHANNEL_ID",
  "INI_RECV_LCP",
  "LAST_SENT_LCP",
  "LAST_RECV_LCP",
  "PROXY_AUTH_TYPE",
  "PROXY_AUTH_NAME",
  "PROXY_AUTH_CHAL",
  "PROXY_AUTH_ID",
  "PROXY_AUTH_RESP",
  "CALL_ERRORS",
  "ACCM",
  "RANDOM_VECTOR",
  "PRIVATE_GRP_ID",
  "RX_CONN_SPEED",
  "SEQ_REQUIRED",
];
const PPP_DISCONNECT_CAUSE = 46;
const AUTH_TYPES = ["Reserved", "Textual", "CHAP", "PAP", "No Auth", "MS-CHAPv1"];
const DIRECTIONS = ["global error", "at peer", "at local"];
const CALL_ERRORS = ["CRCErr", "FrameErr", "HardOver", "BufOver", "Timeout", "AlignErr"];

function printOctets(c: PrintContext, at: number, length: number): void {
  for (let i = 0; i < length; i++) c.out += hex2(u8(c, at + i));
}
const hex8 = (v: number): string => v.toString(16).padStart(8, "0");

/** "A" and "S" (or "A" and "D") for the two low bits of a capability or type word. */
function twoBits(c: PrintContext, at: number, length: number, high: string, low: string): void {
  if (length < 4) {
    c.out += TOO_SHORT;
    return;
  }
  const v = be32(c, at);
  if (v & 2) c.out += high;
  if (v & 1) c.out += low;
}

/** The value of an AVP of the IETF's attribute `type`, `length` bytes at `p`. */
function avpValue(c: PrintContext, type: number, p: number, length: number): void {
  switch (type) {
    case 0:
      if (length < 2) c.out += TOO_SHORT;
      else {
        const t = be16(c, p);
        c.out += MESSAGE_TYPES.get(t) ?? "MSGTYPE-#" + t;
      }
      return;
    case 1:
      if (length < 2) {
        c.out += TOO_SHORT;
        return;
      }
      c.out += be16(c, p);
      if (length === 2) return;
      if (length < 4) {
        c.out += " " + TOO_SHORT;
        return;
      }
      c.out += "/" + be16(c, p + 2);
      if (length === 4) return;
      c.out += " ";
      printCountedText(c, p + 4, length - 4);
      return;
    case 2:
      if (length < 2) c.out += TOO_SHORT;
      else c.out += u8(c, p) + "." + u8(c, p + 1);
      return;
    case 3:
    case 19:
      return twoBits(c, p, length, "A", "S");
    case 4:
    case 18:
      return twoBits(c, p, length, "A", "D");
    case 5:
      if (length < 8) c.out += TOO_SHORT;
      else printOctets(c, p, 8);
      return;
    case 6:
    case 9:
    case 10:
    case 14:
      if (length < 2) c.out += TOO_SHORT;
      else c.out += be16(c, p);
      return;
    case 7:
    case 8:
    case 21:
    case 22:
    case 23:
    case 30:
    case 37:
      return printCountedText(c, p, length);
    case 11:
    case 26:
    case 27:
    case 28:
    case 31:
    case 33:
    case 36:
      return printOctets(c, p, length);
    case 12:
      if (length < 3) {
        c.out += TOO_SHORT;
        return;
      }
      c.out += be16(c, p) + ", " + hex2(u8(c, p + 2));
      if (length !== 3) {
        c.out += " ";
        printCountedText(c, p + 3, length - 3);
      }
      return;
    case 13:
      if (length < 16) c.out += TOO_SHORT;
      else printOctets(c, p, 16);
      return;
    case 15:
    case 16:
    case 17:
    case 24:
    case 25:
    case 38:
      if (length < 4) c.out += TOO_SHORT;
      else c.out += be32(c, p);
      return;
    case 20:
      c.out += "obsolete";
      return;
    case 29:
      if (length < 2) c.out += TOO_SHORT;
      else {
        const t = be16(c, p);
        c.out += AUTH_TYPES[t] ?? "AuthType-#" + t;
      }
      return;
    case 32:
      if (length < 2) c.out += TOO_SHORT;
      else c.out += be16(c, p) & 0xff;
      return;
    case 34:
      // Two reserved bytes, then the six counters while they fit.
      if (length < 2) {
        c.out += TOO_SHORT;
        return;
      }
      p += 2;
      length -= 2;
      for (const name of CALL_ERRORS) {
        if (length < 4) {
          c.out += TOO_SHORT;
          return;
        }
        c.out += name + "=" + be32(c, p) + " ";
        p += 4;
        length -= 4;
      }
      return;
    case 35:
      if (length < 2) {
        c.out += TOO_SHORT;
        return;
      }
      if (length < 6) {
        c.out += TOO_SHORT;
        return;
      }
      c.out += "send=" + hex8(be32(c, p + 2)) + " ";
      if (length < 10) {
        c.out += TOO_SHORT;
        return;
      }
      c.out += "recv=" + hex8(be32(c, p + 6)) + " ";
      return;
    case PPP_DISCONNECT_CAUSE: {
      if (length < 5) {
        c.out += TOO_SHORT;
        return;
      }
      c.out += hex4(be16(c, p)) + ", ";
      c.out += hex4(be16(c, p + 2)) + " ";
      const d = u8(c, p + 4);
      c.out += DIRECTIONS[d] ?? "Direction-#" + d;
      if (length !== 5) {
        c.out += " ";
        printCountedText(c, p + 5, length - 5);
      }
      return;
    }
  }
}

/** One AVP; returns its length, or 0 (having printed the truncation mark) to stop. */
function avpPrint(c: PrintContext, at: number, length: number): number {
  c.out += " ";
  const word = be16(c, at);
  const len = word & AVP_LENGTH_MASK;
  if (len < 6 || len > length || !has(c, at, len)) {
    printTrunc(c);
    return 0;
  }
  if (word & AVP_MANDATORY) c.out += "*";
  const hidden = (word & AVP_HIDDEN) !== 0;
  if (hidden) c.out += "?";
  const vendor = be16(c, at + 2);
  const type = be16(c, at + 4);
  if (vendor) {
    c.out += "VENDOR" + hex4(vendor) + ":ATTR" + hex4(type) + "(";
    printOctets(c, at + 6, len - 6);
    c.out += ")";
    return len;
  }
  c.out += (type === PPP_DISCONNECT_CAUSE ? "PPP_DISCON_CC" : AVP_NAMES[type]) ?? "AVP-#" + type;
  c.out += "(";
  if (hidden) c.out += "???";
  else avpValue(c, type, at + 6, len - 6);
  c.out += ")";
  return len;
}

export function l2tpPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "l2tp";
  const flags = be16(c, at);
  const version = flags & 0x000f;
  if (version === 1) {
    c.out += " l2f:";
    return;
  }
  if (version !== 2) {
    c.out += " Unknown Version, neither L2F(1) nor L2TP(2)";
    return;
  }
  c.out += " l2tp:[";
  if (flags & FLAG_TYPE) c.out += "T";
  if (flags & FLAG_LENGTH) c.out += "L";
  if (flags & FLAG_SEQUENCE) c.out += "S";
  if (flags & FLAG_OFFSET) c.out += "O";
  if (flags & FLAG_PRIORITY) c.out += "P";
  c.out += "]";
  let p = at + 2;
  let l2tpLength = 0;
  if (flags & FLAG_LENGTH) {
    l2tpLength = be16(c, p);
    p += 2;
  }
  c.out += "(" + be16(c, p) + "/";
  c.out += be16(c, p + 2) + ")";
  p += 4;
  if (flags & FLAG_SEQUENCE) {
    c.out += "Ns=" + be16(c, p) + ",";
    c.out += "Nr=" + be16(c, p + 2);
    p += 4;
  }
  if (flags & FLAG_OFFSET) {
    const pad = be16(c, p);
    if (!has(c, p + 2, pad)) return printTrunc(c);
    p += 2 + pad;
  }
  if (flags & FLAG_LENGTH) {
    if (length < l2tpLength) {
      c.out += " Length " + l2tpLength + " larger than packet";
      return;
    }
    length = l2tpLength;
  }
  let count = p - at;
  if (length < count) {
    c.out += " Length " + length + " smaller than header length";
    return;
  }
  if (!(flags & FLAG_TYPE)) {
    c.out += " {";
    pppPrint(c, p, length - count);
    c.out += "}";
    return;
  }
  if (!(flags & FLAG_LENGTH)) {
    c.out += " No length";
    return;
  }
  if (length === count) {
    c.out += " ZLB";
    return;
  }
  while (length !== count) {
    const avpLength = avpPrint(c, p, length - count);
    if (avpLength === 0) return;
    count += avpLength;
    p += avpLength;
  }
}
