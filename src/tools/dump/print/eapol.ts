// EAPOL (IEEE 802.1X, EtherType 0x888e) as tcpdump prints it: "EAP packet (0) v1, len 5"; with -v
// the EAP packet inside (RFC 3748): code, id, length, and for requests and responses the type with
// its identity, notification, NAK list, TLS/TTLS/FAST flags or SIM/AKA subtype.

import { be16, be32, has, printTrunc, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const HEADER_LENGTH = 4;
const FRAME_TYPES = ["EAP packet", "EAPOL start", "EAPOL logoff", "EAPOL key", "Encapsulated ASF alert"];
const EAP_PACKET = 0;
const CODES = ["", "Request", "Response", "Success", "Failure"];
const REQUEST = 1;
const RESPONSE = 2;
const IDENTITY = 1;
const NOTIFICATION = 2;
const NAK = 3;
const TLS = 13;
const SIM = 18;
const TTLS = 21;
const AKA = 23;
const FAST = 43;
const TYPES = new Map([
  [0, "No proposed"],
  [IDENTITY, "Identity"],
  [NOTIFICATION, "Notification"],
  [NAK, "Nak"],
  [4, "MD5-challenge"],
  [5, "OTP"],
  [6, "GTC"],
  [TLS, "TLS"],
  [SIM, "SIM"],
  [TTLS, "TTLS"],
  [AKA, "AKA"],
  [FAST, "FAST"],
  [254, "Expanded types"],
  [255, "Experimental"],
]);
const TLS_LENGTH_INCLUDED = 0x80;
const TLS_FLAGS: [number, string][] = [
  [TLS_LENGTH_INCLUDED, "L bit"],
  [0x40, "More fragments bit"],
  [0x20, "Start bit"],
];
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

export function eapolPrint(c: PrintContext, at: number): void {
  c.protocol = "eap";
  if (!has(c, at, HEADER_LENGTH)) {
    printTrunc(c);
    return;
  }
  const type = u8(c, at + 1);
  const length = be16(c, at + 2);
  c.out += (FRAME_TYPES[type] ?? "unknown") + " (" + type + ") v" + u8(c, at) + ", len " + length;
  if (!c.flags.verbose || type !== EAP_PACKET) return;
  if (length === 0) return printTrunc(c);
  c.out += ", ";
  eapPrint(c, at + HEADER_LENGTH, length);
}

/** Text up to `length` bytes or a NUL, unprintable bytes escaped as tcpdump does. */
function text(c: PrintContext, at: number, length: number): void {
  for (let i = 0; i < length; i++) {
    const byte = u8(c, at + i);
    if (byte === 0) return;
    c.out += printableChar(byte);
  }
}

function tlsFlags(c: PrintContext, flags: number): void {
  let names = "";
  for (const [bit, name] of TLS_FLAGS) if (flags & bit) names += (names === "" ? "" : ", ") + name;
  c.out += " flags [" + (names || "none") + "] 0x" + flags.toString(16).padStart(2, "0");
}

/** One EAP packet of `length` bytes (its own length field must agree, else it is a fragment). */
export function eapPrint(c: PrintContext, at: number, length: number): void {
  const code = u8(c, at);
  const len = be16(c, at + 2);
  if (len !== length) {
    c.out += "EAP fragment?";
    return;
  }
  c.out += (CODES[code] || "unknown") + " (" + code + "), id " + u8(c, at + 1) + ", len " + len;
  if (len < 4) {
    c.out += " (too short for EAP header)";
    return;
  }
  // A short capture ends the packet here, the link-level header still left out of -x dumps.
  if (!has(c, at, len)) return printTrunc(c);
  if (code !== REQUEST && code !== RESPONSE) return;
  if (len < 5) {
    c.out += " (too short for EAP request/response)";
    return;
  }
  const type = u8(c, at + 4);
  c.out += "\n\t\t Type " + (TYPES.get(type) ?? "unknown") + " (" + type + ")";
  switch (type) {
    case IDENTITY:
      if (len > 5) {
        c.out += ", Identity: ";
        text(c, at + 5, len - 5);
      }
      return;
    case NOTIFICATION:
      if (len < 6) {
        c.out += " (too short for EAP Notification request/response)";
        return;
      }
      c.out += ", Notification: ";
      text(c, at + 5, len - 5);
      return;
    case NAK:
      if (len < 6) {
        c.out += " (too short for EAP Legacy NAK request/response)";
        return;
      }
      for (let i = 5; i < len; i++) {
        const desired = u8(c, at + i);
        c.out += (i === 5 ? " " : ", ") + (TYPES.get(desired) ?? "unknown") + " (" + desired + ")";
      }
      return;
    case TLS:
    case TTLS:
    case FAST: {
      const name = type === FAST ? "FAST" : "TLS/TTLS";
      if (len < 6) {
        c.out += " (too short for EAP " + name + " request/response)";
        return;
      }
      const flags = u8(c, at + 5);
      if (type === TTLS) c.out += " TTLSv" + (flags & 0x07);
      else if (type === FAST) c.out += " FASTv" + (flags & 0x07);
      tlsFlags(c, flags);
      if (flags & TLS_LENGTH_INCLUDED) {
        if (len < 10) {
          c.out += " (too short for EAP " + name + " request/response with length)";
          return;
        }
        c.out += ", len " + be32(c, at + 6);
      }
      return;
    }
    case SIM:
    case AKA: {
      if (len < 6) {
        c.out += " (too short for EAP SIM/AKA request/response)";
        return;
      }
      const subtype = u8(c, at + 5);
      c.out +=
        " subtype [" + (SIM_AKA_SUBTYPES.get(subtype) ?? "unknown") + "] 0x" + subtype.toString(16).padStart(2, "0");
      return;
    }
  }
}
