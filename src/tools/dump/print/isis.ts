// IS-IS (ISO 10589, RFC 1195) behind the OSI NLPID, as tcpdump prints it without -v: the PDU type
// and its identifying fields, "IS-IS, L1 LSP, lsp-id 2222.2222.2222.00-00, seq 0x0000000f,
// lifetime  1199s, length 136". The -v decoding of the TLVs is not done yet: such packets are
// marked unsupported. Other OSI protocols (CLNP, ES-IS) are left to the caller.

import { be16, be32, check, has, printTrunc, u8, type PrintContext } from "./context.js";

export const NLPID_ISIS = 0x83;
const VERSION = 1;
const COMMON_HEADER_LENGTH = 8;
const SYSTEM_ID_LENGTH = 6;
const NODE_ID_LENGTH = 7;
const LSP_ID_LENGTH = 8;

const L1_LAN_IIH = 15;
const L2_LAN_IIH = 16;
const PTP_IIH = 17;
const L1_LSP = 18;
const L2_LSP = 20;
const L1_CSNP = 24;
const L2_CSNP = 25;
const L1_PSNP = 26;
const L2_PSNP = 27;

const PDU_NAMES = new Map([
  [L1_LAN_IIH, "L1 Lan IIH"],
  [L2_LAN_IIH, "L2 Lan IIH"],
  [PTP_IIH, "p2p IIH"],
  [L1_LSP, "L1 LSP"],
  [L2_LSP, "L2 LSP"],
  [L1_CSNP, "L1 CSNP"],
  [L2_CSNP, "L2 CSNP"],
  [L1_PSNP, "L1 PSNP"],
  [L2_PSNP, "L2 PSNP"],
]);
/** Each PDU type's fixed header length (the common header included). */
const FIXED_LENGTHS = new Map([
  [L1_LAN_IIH, 27],
  [L2_LAN_IIH, 27],
  [PTP_IIH, 20],
  [L1_LSP, 27],
  [L2_LSP, 27],
  [L1_CSNP, 33],
  [L2_CSNP, 33],
  [L1_PSNP, 17],
  [L2_PSNP, 17],
]);

const hex2 = (n: number): string => n.toString(16).padStart(2, "0");

/** A system id (xxxx.xxxx.xxxx), node id (.xx after it) or LSP id (.xx-xx after it). */
function isisId(c: PrintContext, at: number, length: number): string {
  check(c, at, length);
  let s = "";
  for (let i = 0; i < SYSTEM_ID_LENGTH; i++) {
    s += hex2(c.bytes[at + i]!);
    if (i === 1 || i === 3) s += ".";
  }
  if (length >= NODE_ID_LENGTH) s += "." + hex2(c.bytes[at + SYSTEM_ID_LENGTH]!);
  if (length === LSP_ID_LENGTH) s += "-" + hex2(c.bytes[at + NODE_ID_LENGTH]!);
  return s;
}

/**
 * Prints the OSI packet at `at` (its first byte the NLPID) when it is IS-IS; false, with nothing
 * printed, for another OSI protocol.
 */
export function osiPrint(c: PrintContext, at: number, length: number): boolean {
  if (at >= c.snapend || c.bytes[at] !== NLPID_ISIS) return false;
  if (c.flags.linkHeader) c.out += "OSI NLPID IS-IS (0x83): ";
  isisPrint(c, at, length);
  return true;
}

function isisPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "isis";
  const e = c.flags.linkHeader;
  if (!has(c, at, COMMON_HEADER_LENGTH)) {
    printTrunc(c);
    return;
  }
  if (!e) c.out += "IS-IS";
  const version = u8(c, at + 2);
  if (version !== VERSION) {
    c.out += "version " + version + " packet not supported";
    return;
  }
  const idLength = u8(c, at + 3);
  if (idLength !== SYSTEM_ID_LENGTH && idLength !== 0) {
    c.out += "system ID length of " + idLength + " is not supported";
    return;
  }
  const pduVersion = u8(c, at + 5);
  if (pduVersion !== VERSION) {
    c.out += "version " + pduVersion + " packet not supported";
    return;
  }
  const fixedLength = u8(c, at + 1);
  if (length < fixedLength) {
    printTrunc(c);
    return;
  }
  if (fixedLength < COMMON_HEADER_LENGTH) {
    c.out += " fixed header length " + fixedLength + " < minimum header size " + COMMON_HEADER_LENGTH + " (invalid)";
    return;
  }
  if (u8(c, at + 7) === 255) {
    c.out += "bad packet -- 255 areas";
    return;
  }
  const pduType = u8(c, at + 4) & 0x1f;
  if (c.flags.verbose) c.markUnsupported("isis -v");
  c.out += (e ? "" : ", ") + (PDU_NAMES.get(pduType) ?? "unknown PDU-Type " + pduType);
  const expected = FIXED_LENGTHS.get(pduType);
  if (expected === undefined) {
    c.markUnsupported("isis pdu type " + pduType);
    return;
  }
  if (fixedLength !== expected) {
    c.out += ", bogus fixed header length " + fixedLength + " should be " + expected;
    return;
  }
  // tcpdump's own check: " [|isis]", and the packet is still dumped without its link header.
  if (!has(c, at, expected) || length < expected) {
    printTrunc(c);
    return;
  }
  const p = at + COMMON_HEADER_LENGTH;
  switch (pduType) {
    case L1_LAN_IIH:
    case L2_LAN_IIH:
      c.out += ", src-id " + isisId(c, p + 1, SYSTEM_ID_LENGTH);
      c.out += ", lan-id " + isisId(c, p + 12, NODE_ID_LENGTH) + ", prio " + u8(c, p + 11);
      c.out += ", length " + length;
      break;
    case PTP_IIH:
      c.out += ", src-id " + isisId(c, p + 1, SYSTEM_ID_LENGTH) + ", length " + length;
      break;
    case L1_LSP:
    case L2_LSP:
      c.out += ", lsp-id " + isisId(c, p + 4, LSP_ID_LENGTH);
      c.out +=
        ", seq 0x" +
        be32(c, p + 12)
          .toString(16)
          .padStart(8, "0");
      c.out += ", lifetime " + String(be16(c, p + 2)).padStart(5) + "s";
      c.out += ", length " + length;
      break;
    default:
      // CSNP and PSNP: the sender's node id.
      c.out += ", src-id " + isisId(c, p + 2, NODE_ID_LENGTH) + ", length " + length;
  }
}
