// One packet as one tcpdump output entry: timestamp (-t … -ttttt, micro- or nanoseconds), the
// protocol line(s) (-n, -e, -q, -v, -S, -K), and the raw dumps (-x, -xx, -X, -XX, -A, -AA).
//
//   const state = new FormatState();
//   for (const p of capture.packets)
//     console.log(formatPacket(p.data, p.linkType, p.timestampNs, options, state, p.originalLength));
//
// The result has no trailing newline; some entries span several lines (-v, dumps). `state` carries
// what tcpdump keeps between packets: TCP base sequence numbers per connection, the first and
// previous timestamps for -ttt/-ttttt, and the packet count for -#. After each call,
// `state.unsupported` says whether the packet reached a protocol this printer does not decode (its
// text then may differ from tcpdump's) and why.

import { PrintContext, type PrintFlags } from "./print/context.js";
import { decimal, fractionDigits } from "./print/decimal.js";
import { TcpSequenceTable } from "./print/tcp-state.js";
import { NfsXidTable } from "./print/nfs-xids.js";
import { printLinkLayer, type InterfaceNamer } from "./print/index.js";
import { asciiPrint, hexAndAsciiPrint, hexPrint } from "./print/unknown.js";

export interface FormatOptions {
  /**
   * Number of -t flags: 0 local time of day (default), 1 none, 2 seconds since the epoch,
   * 3 delta since the previous packet, 4 date and local time, 5 delta since the first packet.
   */
  timestamps?: 0 | 1 | 2 | 3 | 4 | 5;
  /** Print fractions in nanoseconds (tcpdump --nano / --time-stamp-precision=nano). */
  nano?: boolean;
  /** -n: numbers instead of port and protocol names (addresses are never resolved). */
  numeric?: boolean;
  /** -e: link-level header. */
  linkHeader?: boolean;
  /** -q count. */
  quick?: number;
  /** -v count. */
  verbose?: number;
  /** -x count: hex dump (2 = include the link-level header). */
  hex?: number;
  /** -X count: hex and ASCII dump (2 = include the link-level header). */
  hexAscii?: number;
  /** -A count: ASCII dump (2 = include the link-level header). */
  ascii?: number;
  /** -S: absolute TCP sequence numbers. */
  absoluteSequence?: boolean;
  /** -K: do not verify checksums. */
  noChecksums?: boolean;
  /** -T: what UDP payloads are, whatever their ports ("rpc", Sun RPC, is the one supported). */
  packetType?: "rpc";
  /** -#: prefix each entry with its packet number. */
  packetNumbers?: boolean;
  /** Interface names for Linux cooked v2 headers (tcpdump asks the local system). */
  interfaceName?: InterfaceNamer;
}

/** tcpdump's MAXIMUM_SNAPLEN: larger lengths make a record's header invalid. */
const MAXIMUM_SNAPLEN = 262144;
const NS_PER_SEC = 1_000_000_000n;

export class FormatState {
  readonly tcp = new TcpSequenceTable();
  /** NFS calls by transaction ID, for decoding their replies (tcpdump's bounded table). */
  readonly nfs = new NfsXidTable();
  /** Packets formatted so far (the -# number of the last one). */
  packets = 0;
  /** Why the last packet's text may differ from tcpdump's, or undefined when it is fully decoded. */
  unsupported: string | undefined = undefined;
  /** Length of the last packet's link-level header as the printer saw it. */
  linkHeaderLength = 0;

  private readonly context: PrintContext;
  private flagsFor: FormatOptions | undefined;
  private refSec = 0;
  private refFrac = 0;
  private cachedSecond = -1;
  private cachedClock = "";
  private cachedDated = false;

  constructor() {
    this.context = new PrintContext(
      {
        verbose: 0,
        linkHeader: false,
        quick: 0,
        numeric: false,
        absoluteSequence: false,
        noChecksums: false,
        suppressDefaultPrint: false,
        rpc: false,
      },
      this.tcp,
      this.nfs,
    );
  }

  /** The printing context configured for `options` (recomputed only when the options object changes). */
  contextFor(options: FormatOptions): PrintContext {
    if (this.flagsFor !== options) {
      const f: PrintFlags = this.context.flags;
      f.verbose = options.verbose ?? 0;
      f.linkHeader = options.linkHeader ?? false;
      f.quick = options.quick ?? 0;
      f.numeric = options.numeric ?? false;
      f.absoluteSequence = options.absoluteSequence ?? false;
      f.noChecksums = options.noChecksums ?? false;
      f.suppressDefaultPrint = f.quick > 0 || (options.hex ?? 0) > 0 || (options.hexAscii ?? 0) > 0;
      f.rpc = options.packetType === "rpc";
      this.flagsFor = options;
    }
    return this.context;
  }

  /** "HH:MM:SS" (or "YYYY-MM-DD HH:MM:SS") of a second in local time, cached per second. */
  clock(sec: number, dated: boolean): string {
    if (sec !== this.cachedSecond || dated !== this.cachedDated) {
      const d = new Date(sec * 1000);
      let s = pad2(d.getHours()) + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds());
      if (dated) s = d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " + s;
      this.cachedSecond = sec;
      this.cachedClock = s;
      this.cachedDated = dated;
    }
    return this.cachedClock;
  }

  /** Relative timestamps: the difference from the reference, then maybe move the reference. */
  delta(sec: number, frac: number, nano: boolean, moveReference: boolean): string {
    if (this.refSec === 0 && this.refFrac === 0) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    const negative = sec < this.refSec || (sec === this.refSec && frac < this.refFrac);
    let dSec: number;
    let dFrac: number;
    if (negative) {
      dSec = this.refSec - sec;
      dFrac = this.refFrac - frac;
    } else {
      dSec = sec - this.refSec;
      dFrac = frac - this.refFrac;
    }
    if (dFrac < 0) {
      dSec--;
      dFrac += nano ? 1_000_000_000 : 1_000_000;
    }
    let s = negative ? "-" : " ";
    if ((dSec >>> 0) & 0x80000000) s += "[Error converting time]";
    else {
      const daySec = dSec % 86400;
      s +=
        pad2(Math.floor(daySec / 3600)) +
        ":" +
        pad2(Math.floor((daySec % 3600) / 60)) +
        ":" +
        pad2(daySec % 60) +
        fraction(dFrac, nano);
    }
    if (moveReference) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    return s;
  }
}

function pad2(v: number): string {
  return v < 10 ? "0" + v : "" + v;
}

function fraction(frac: number, nano: boolean): string {
  return "." + fractionDigits(frac, nano ? 9 : 6);
}

function timestampText(options: FormatOptions, state: FormatState, sec: number, nsec: number): string {
  const mode = options.timestamps ?? 0;
  if (mode === 1) return "";
  const nano = options.nano ?? false;
  const frac = nano ? nsec : Math.floor(nsec / 1000);
  switch (mode) {
    case 2:
      if ((sec >>> 0) & 0x80000000) return "[Error converting time] ";
      // tcpdump prints the seconds as a 32-bit unsigned number.
      return decimal(sec >>> 0) + fraction(frac, nano) + " ";
    case 3:
    case 5:
      return state.delta(sec, frac, nano, mode === 3) + " ";
    case 4:
      if ((sec >>> 0) & 0x80000000) return "[Error converting time] ";
      return state.clock(sec, true) + fraction(frac, nano) + " ";
    default:
      if ((sec >>> 0) & 0x80000000) return "[Error converting time] ";
      return state.clock(sec, false) + fraction(frac, nano) + " ";
  }
}

function packetNumber(n: number): string {
  const s = decimal(n);
  return (s.length >= 5 ? s : "     ".slice(s.length) + s) + "  ";
}

/** The invalid-record text tcpdump prints instead of decoding, or undefined for a sane record. */
function invalidHeader(caplen: number, wireLength: number): string | undefined {
  const problems: string[] = [];
  if (caplen === 0) problems.push(" caplen==0");
  if (wireLength === 0) problems.push(" len==0");
  else if (wireLength < caplen) problems.push(" len(" + wireLength + ") < caplen(" + caplen + ")");
  if (caplen > MAXIMUM_SNAPLEN) problems.push(" caplen(" + caplen + ") > " + MAXIMUM_SNAPLEN);
  if (wireLength > MAXIMUM_SNAPLEN) problems.push(" len(" + wireLength + ") > " + MAXIMUM_SNAPLEN);
  if (problems.length === 0) return undefined;
  return "[Invalid header:" + problems.join(",") + "]";
}

/**
 * Formats one packet with the time as seconds and nanoseconds since the epoch (no BigInt work);
 * see formatPacket. `capturedLength` (default bytes.length) is how many of `bytes` are the packet:
 * a reused buffer can hold it, so that printing needs no view per packet.
 */
export function formatPacketAt(
  bytes: Uint8Array,
  linkType: number,
  seconds: number,
  nanoseconds: number,
  options: FormatOptions,
  state: FormatState,
  wireLength: number = bytes.length,
  capturedLength: number = bytes.length,
): string {
  state.packets++;
  state.unsupported = undefined;
  state.linkHeaderLength = 0;
  let out = options.packetNumbers ? packetNumber(state.packets) : "";
  const caplen = Math.min(capturedLength, bytes.length);
  const invalid = invalidHeader(caplen, wireLength);
  if (invalid !== undefined) return out + invalid;
  out += timestampText(options, state, seconds, nanoseconds);

  const c = state.contextFor(options);
  c.reset(bytes, caplen);
  printLinkLayer(c, linkType, wireLength, options.interfaceName);
  const hdrlen = c.llHeaderLength;
  const hexAscii = options.hexAscii ?? 0;
  const hex = options.hex ?? 0;
  const ascii = options.ascii ?? 0;
  if (hexAscii > 0) {
    if (hexAscii > 1) hexAndAsciiPrint(c, "\n\t", 0, caplen);
    else if (caplen > hdrlen) hexAndAsciiPrint(c, "\n\t", hdrlen, caplen - hdrlen);
  } else if (hex > 0) {
    if (hex > 1) hexPrint(c, "\n\t", 0, caplen);
    else if (caplen > hdrlen) hexPrint(c, "\n\t", hdrlen, caplen - hdrlen);
  } else if (ascii > 0) {
    if (ascii > 1) asciiPrint(c, 0, caplen);
    else if (caplen > hdrlen) asciiPrint(c, hdrlen, caplen - hdrlen);
  }
  state.unsupported = c.unsupported;
  state.linkHeaderLength = hdrlen;
  return out + c.out;
}

/**
 * Formats one packet as tcpdump prints it.
 * @param bytes the captured bytes
 * @param linkType LINKTYPE_* of the packet's interface (Ethernet 1, raw IP 101, Linux cooked 113/276, null 0)
 * @param timestamp nanoseconds since the epoch
 * @param wireLength the packet's length on the wire (defaults to the captured length)
 */
export function formatPacket(
  bytes: Uint8Array,
  linkType: number,
  timestamp: bigint,
  options: FormatOptions,
  state: FormatState,
  wireLength: number = bytes.length,
): string {
  const seconds = Number(timestamp / NS_PER_SEC);
  const nanoseconds = Number(timestamp % NS_PER_SEC);
  return formatPacketAt(bytes, linkType, seconds, nanoseconds, options, state, wireLength);
}
