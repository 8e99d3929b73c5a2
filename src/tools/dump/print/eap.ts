// EAP (RFC 3748) packets as tcpdump prints them inside other protocols (a RADIUS EAP-Message
// attribute): "Response (2), id 0, len 17" and, for requests and responses, the method type on a
// line of its own with the few fields tcpdump reads of it.

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { hex2 } from "./addr.js";
import { printableChar } from "./unknown.js";
import { flagNames } from "./names.js";

const REQUEST = 1;
const RESPONSE = 2;
const CODES = ["", "Request", "Response", "Success", "Failure"];

const TYPE_IDENTITY = 1;
const TYPE_NOTIFICATION = 2;
const TYPE_NAK = 3;
const TYPE_TLS = 13;
const TYPE_SIM = 18;
const TYPE_TTLS = 21;
const TYPE_AKA = 23;
const TYPE_FAST = 43;

const TYPES = new Map([
  [0, "No proposed"],
  [TYPE_IDENTITY, "Identity"],
  [TYPE_NOTIFICATION, "Notification"],
  [TYPE_NAK, "Nak"],
  [4, "MD5-challenge"],
  [5, "OTP"],
  [6, "GTC"],
  [TYPE_TLS, "TLS"],
  [TYPE_SIM, "SIM"],
  [TYPE_TTLS, "TTLS"],
  [TYPE_AKA, "AKA"],
  [TYPE_FAST, "FAST"],
  [254, "Expanded types"],
  [255, "Experimental"],
]);

const SIM_AKA_SUBTYPES = new Map([
  [1, "Challenge"],
  [2, "Auth reject"],
  [4, "Sync failure"],
  [5, "Identity"],
  [10, "Start"],
  [11, "Challenge"],
  [12, "Notification"],
  [13, "Reauth"],
  [14, "Client error"],
]);

/** The TLS flags byte: length included, more fragments, start. */
const TLS_FLAGS: [number, string][] = [
  [0x80, "L bit"],
  [0x40, "More fragments bit"],
  [0x20, "Start bit"],
];
const TLS_LENGTH_INCLUDED = 0x80;

function typeName(type: number): string {
  return TYPES.get(type) ?? "unknown";
}

/** Text up to a NUL, as tcpdump prints a NUL-padded string. */
function paddedText(c: PrintContext, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const ch = u8(c, at + i);
    if (ch === 0) break;
    s += printableChar(ch);
  }
  return s;
}

/** One EAP packet of `length` bytes at `at`. */
export function eapPrint(c: PrintContext, at: number, length: number): void {
  const code = u8(c, at);
  const len = be16(c, at + 2);
  // A fragment: the header of the whole packet says another length.
  if (len !== length) {
    c.out += "EAP fragment?";
    return;
  }
  c.out += (CODES[code] || "unknown") + " (" + code + "), id " + u8(c, at + 1) + ", len " + len;
  if (len < 4) {
    c.out += " (too short for EAP header)";
    return;
  }
  // A short capture ends the line with the marker of the protocol carrying EAP, and returns.
  if (!has(c, at, len)) return printTrunc(c);
  if (code !== REQUEST && code !== RESPONSE) return;
  if (len < 5) {
    c.out += " (too short for EAP request/response)";
    return;
  }
  const type = u8(c, at + 4);
  c.out += "\n\t\t Type " + typeName(type) + " (" + type + ")";
  switch (type) {
    case TYPE_IDENTITY:
      if (len > 5) c.out += ", Identity: " + paddedText(c, at + 5, len - 5);
      break;
    case TYPE_NOTIFICATION:
      if (len < 6) {
        c.out += " (too short for EAP Notification request/response)";
        return;
      }
      c.out += ", Notification: " + paddedText(c, at + 5, len - 5);
      break;
    case TYPE_NAK: {
      if (len < 6) {
        c.out += " (too short for EAP Legacy NAK request/response)";
        return;
      }
      let sep = "";
      for (let i = 5; i < len; i++) {
        const t = u8(c, at + i);
        c.out += sep + " " + typeName(t) + " (" + t + ")";
        sep = ",";
      }
      break;
    }
    case TYPE_TTLS:
    case TYPE_TLS:
    case TYPE_FAST: {
      const kind = type === TYPE_FAST ? "FAST" : "TLS/TTLS";
      if (len < 6) {
        c.out += " (too short for EAP " + kind + " request/response)";
        return;
      }
      const flags = u8(c, at + 5);
      if (type === TYPE_TTLS) c.out += " TTLSv" + (flags & 7);
      else if (type === TYPE_FAST) c.out += " FASTv" + (flags & 7);
      c.out += " flags [" + flagNames(TLS_FLAGS, flags) + "] 0x" + hex2(flags);
      if (flags & TLS_LENGTH_INCLUDED) {
        if (len < 10) {
          c.out += " (too short for EAP " + kind + " request/response with length)";
          return;
        }
        c.out += ", len " + be32(c, at + 6);
      }
      break;
    }
    case TYPE_AKA:
    case TYPE_SIM: {
      if (len < 6) {
        c.out += " (too short for EAP SIM/AKA request/response)";
        return;
      }
      const subtype = u8(c, at + 5);
      c.out += " subtype [" + (SIM_AKA_SUBTYPES.get(subtype) ?? "unknown") + "] 0x" + hex2(subtype);
      break;
    }
  }
}
