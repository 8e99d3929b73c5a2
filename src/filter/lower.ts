// From the syntax tree to conditions over packet bytes, with tcpdump's semantics: which header
// fields each primitive tests, in which order, for each link type, and every error tcpdump reports
// for an expression it cannot compile.
//
// The walk follows source order and keeps the compiler state libpcap keeps, because some primitives
// change how later ones are compiled: `vlan` moves every later offset 4 bytes on (so `vlan and ip`
// tests the inner EtherType and `ip and vlan` does not), `mpls` moves the network layer 4 bytes per
// label, and `pppoes` makes later primitives look at a PPP header.
import type { Arith, Expr, FilterAst, IdValue, ProtoQual, Qualifiers, Span } from "./ast.js";
import { FilterError } from "./errors.js";
import {
  alu,
  and,
  cmp,
  type Cond,
  FALSE,
  ipHeaderLength,
  konst,
  LEN,
  load,
  loadIndexed,
  masked,
  neg,
  not,
  or,
  type Size,
  TRUE,
  type Val,
} from "./ir.js";
import { parseIpv6 } from "./lexer.js";
import { linkTypeDescription } from "../pcap/linktype.js";
import {
  IPPROTO,
  lookupEtherProtocol,
  lookupHost,
  lookupIpProtocol,
  lookupNetwork,
  lookupPort,
  lookupPortRange,
} from "./names.js";

/** Link types tsbpf compiles protocol filters for (LINKTYPE_* values). */
export const SUPPORTED_LINK_TYPES: Readonly<Record<number, string>> = {
  0: "BSD loopback",
  1: "Ethernet",
  9: "PPP",
  101: "Raw IP",
  104: "Cisco HDLC",
  113: "Linux cooked v1",
  228: "Raw IPv4",
  229: "Raw IPv6",
  276: "Linux cooked v2",
};

/** Link types of libpcap's "matching" range: for the ones above it knows nothing of, only link[…], len, less and greater compile (as in tcpdump). */
const MATCHING_MIN = 104,
  MATCHING_MAX = 289;

/** Whether filters compile for this link type at all (possibly only raw byte tests). */
export function filterableLinkType(linkType: number): boolean {
  return SUPPORTED_LINK_TYPES[linkType] !== undefined || (linkType >= MATCHING_MIN && linkType <= MATCHING_MAX);
}

export interface LowerOptions {
  linkType: number;
  /** Byte order of the file a BSD-loopback (link type 0) capture comes from: its header is an
   *  address family in the capturing host's order. Default "little". */
  loopbackByteOrder?: "little" | "big";
  /** Netmask for `ip broadcast` (tcpdump uses 0 when reading files). */
  netmask?: number;
}

const ETHERMTU = 1500;
const ETH = {
  IP: 0x0800,
  ARP: 0x0806,
  REVARP: 0x8035,
  IPV6: 0x86dd,
  ATALK: 0x809b,
  AARP: 0x80f3,
  DN: 0x6003,
  LAT: 0x6004,
  SCA: 0x6007,
  MOPDL: 0x6001,
  MOPRC: 0x6002,
  IPX: 0x8137,
  NS: 0x0600,
  VLAN: 0x8100,
  QINQ_AD: 0x88a8,
  QINQ_OLD: 0x9100,
  MPLS: 0x8847,
  PPPOED: 0x8863,
  PPPOES: 0x8864,
} as const;
const LLCSAP = { ISONS: 0xfe, IP: 0x06, NETBEUI: 0xf0, IPX: 0xe0, STP: 0x42, SNAP: 0xaa } as const;
const PPP = {
  IP: 0x21,
  IPV6: 0x57,
  DECNET: 0x27,
  APPLE: 0x29,
  NS: 0x25,
  OSI: 0x23,
  BRPDU: 0x31,
  IPX: 0x2b,
  MPLS_UCAST: 0x0281,
} as const;
const ISO = { CLNP: 0x81, ESIS: 0x82, ISIS: 0x83 } as const;
const ISIS_PDU = {
  L1_LAN_IIH: 15,
  L2_LAN_IIH: 16,
  PTP_IIH: 17,
  L1_LSP: 18,
  L2_LSP: 20,
  L1_CSNP: 24,
  L2_CSNP: 25,
  L1_PSNP: 26,
  L2_PSNP: 27,
} as const;
const LINUX_SLL_P_802_3 = 1,
  LINUX_SLL_P_802_2 = 4,
  LINUX_SLL_OUTGOING = 4;
const LLC_S_SUBTYPES: Record<string, number> = { rr: 0x01, rnr: 0x05, rej: 0x09 };
const LLC_U_SUBTYPES: Record<string, number> = {
  ui: 0x03,
  ua: 0x63,
  disc: 0x43,
  dm: 0x0f,
  sabme: 0x6f,
  test: 0xe3,
  xid: 0xaf,
  frmr: 0x87,
};

type TagExpr = Extract<Expr, { type: "vlan" | "mpls" | "pppoes" | "geneve" }>;
type OffRel =
  | "packet"
  | "linkhdr"
  | "llc"
  | "linkpl"
  | "linkpl_nosnap"
  | "linktype"
  | "prevmplshdr"
  | "tran_ipv4"
  | "tran_ipv6";

interface State {
  linkType: number;
  offLinkhdr: number;
  offLinktype: number | undefined;
  offLinkpl: number | undefined;
  offNl: number;
  offNlNosnap: number;
  labelStackDepth: number;
  vlanStackDepth: number;
}

/** Lowered arithmetic: the value, the conditions that guard it, and (for libpcap's constant checks) its first constant. */
interface ArithResult {
  val: Val;
  conds: Cond | null;
  firstImm: number | undefined;
}

function shl32(v: number, n: number): number {
  return n >= 32 ? 0 : (v << n) >>> 0;
}

/** __pcap_atoin: dotted decimal, 1–4 parts; returns the value and the number of bits given. */
function atoin(text: string): { value: number; bits: number } | undefined {
  let value = 0,
    bits = 0,
    i = 0;
  for (;;) {
    let n = 0;
    while (i < text.length && text[i] !== ".") {
      if (n > 25) return undefined;
      n = n * 10 + (text.charCodeAt(i) - 48);
      i++;
    }
    if (n > 255) return undefined;
    value = ((value << 8) | n) >>> 0;
    bits += 8;
    if (i >= text.length) return { value, bits };
    i++;
  }
}

function etherAton(text: string): number[] {
  const out: number[] = [];
  let i = 0;
  const hex = (c: string | undefined): boolean => c !== undefined && /[0-9A-Fa-f]/.test(c);
  while (i < text.length && out.length < 6) {
    if (text[i] === ":" || text[i] === "." || text[i] === "-") i++;
    let d = parseInt(text[i]!, 16);
    i++;
    if (hex(text[i])) {
      d = (d << 4) | parseInt(text[i]!, 16);
      i++;
    }
    out.push(d);
  }
  return out;
}

/** An expression that is not and/or/not. */
type Term = Exclude<Expr, { type: "and" | "or" } | { type: "not" }>;

class Lowering {
  private s: State;

  constructor(
    private readonly source: string,
    private readonly opts: LowerOptions,
  ) {
    this.s = initialState(opts.linkType, () =>
      this.err(`unknown data link type ${opts.linkType}`, { start: 0, end: Math.max(1, source.length) }, "unsupported"),
    );
  }

  err(reason: string, span: Span, kind: "semantic" | "unsupported" = "semantic"): never {
    throw new FilterError(kind, reason, this.source, span.start, Math.max(1, span.end - span.start));
  }

  private description(): string {
    return SUPPORTED_LINK_TYPES[this.s.linkType] ?? linkTypeDescription(this.s.linkType);
  }

  // ------------------------------------------------------------------ loads and comparisons

  /** Absolute offset of a field relative to a header, as libpcap's gen_load_a computes it. */
  private loadA(rel: OffRel, offset: number, size: Size, span: Span): Val {
    const s = this.s;
    const need = (base: number | undefined): number => {
      if (base === undefined) this.err(`${this.description()} has no header for this test`, span);
      return base;
    };
    switch (rel) {
      case "packet":
        return load(offset, size);
      case "linkhdr":
        return load(s.offLinkhdr + offset, size);
      case "llc":
        return load(need(s.offLinkpl) + offset, size);
      case "prevmplshdr":
        return load(need(s.offLinkpl) + s.offNl - 4 + offset, size);
      case "linkpl":
        return load(need(s.offLinkpl) + s.offNl + offset, size);
      case "linkpl_nosnap":
        return load(need(s.offLinkpl) + s.offNlNosnap + offset, size);
      case "linktype":
        return load(need(s.offLinktype) + offset, size);
      case "tran_ipv4": {
        const base = need(s.offLinkpl) + s.offNl;
        return loadIndexed(ipHeaderLength(base), base + offset, size);
      }
      case "tran_ipv6":
        return load(need(s.offLinkpl) + s.offNl + 40 + offset, size);
    }
  }

  /** gen_ncmp: (field & mask) op v. */
  private ncmp(
    rel: OffRel,
    offset: number,
    size: Size,
    mask: number,
    op: "eq" | "gt" | "ge",
    reverse: boolean,
    v: number,
    span: Span,
  ): Cond {
    let val = this.loadA(rel, offset, size, span);
    if (mask >>> 0 !== 0xffffffff) val = masked(val, mask);
    const c = cmp(op, val, konst(v));
    return reverse && (op === "gt" || op === "ge") ? not(c) : c;
  }
  private cmpEq(rel: OffRel, offset: number, size: Size, v: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, 0xffffffff, "eq", false, v, span);
  }
  private cmpGt(rel: OffRel, offset: number, size: Size, v: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, 0xffffffff, "gt", false, v, span);
  }
  private cmpGe(rel: OffRel, offset: number, size: Size, v: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, 0xffffffff, "ge", false, v, span);
  }
  private cmpLt(rel: OffRel, offset: number, size: Size, v: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, 0xffffffff, "ge", true, v, span);
  }
  private cmpLe(rel: OffRel, offset: number, size: Size, v: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, 0xffffffff, "gt", true, v, span);
  }
  private mcmp(rel: OffRel, offset: number, size: Size, v: number, mask: number, span: Span): Cond {
    return this.ncmp(rel, offset, size, mask, "eq", false, v, span);
  }
  private jset(rel: OffRel, offset: number, size: Size, bits: number, span: Span): Cond {
    return cmp("set", this.loadA(rel, offset, size, span), konst(bits));
  }

  /** gen_bcmp: compares bytes, last 4-byte chunk first. */
  private bcmp(rel: OffRel, offset: number, bytes: readonly number[], span: Span): Cond {
    let b: Cond | null = null;
    let size = bytes.length;
    const push = (c: Cond): void => {
      b = b === null ? c : and(b, c);
    };
    while (size >= 4) {
      const p = size - 4;
      push(
        this.cmpEq(
          rel,
          offset + p,
          4,
          ((bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!) >>> 0,
          span,
        ),
      );
      size -= 4;
    }
    while (size >= 2) {
      const p = size - 2;
      push(this.cmpEq(rel, offset + p, 2, (bytes[p]! << 8) | bytes[p + 1]!, span));
      size -= 2;
    }
    if (size > 0) push(this.cmpEq(rel, offset, 1, bytes[0]!, span));
    return b!;
  }

  // ------------------------------------------------------------------ link-layer types

  private linktype(proto: number, span: Span): Cond {
    const s = this.s;
    if (s.labelStackDepth > 0) {
      if (proto === ETH.IP || proto === ETH.IPV6) {
        const b0 = this.mcmp("linkpl", -2, 1, 0x01, 0x01, span);
        return and(b0, this.mcmp("linkpl", 0, 1, proto === ETH.IP ? 0x40 : 0x60, 0xf0, span));
      }
      this.err("unsupported protocol over mpls", span);
    }
    switch (s.linkType) {
      case 1:
        return this.etherLinktype(proto, span);
      case 104:
        return this.cmpEq("linktype", 0, 2, proto === LLCSAP.ISONS ? (proto << 8) | LLCSAP.ISONS : proto, span);
      case 113:
        return this.sllLinktype(proto, span);
      case 101:
        if (proto === ETH.IP) return this.mcmp("linkhdr", 0, 1, 0x40, 0xf0, span);
        if (proto === ETH.IPV6) return this.mcmp("linkhdr", 0, 1, 0x60, 0xf0, span);
        return FALSE;
      case 228:
        return proto === ETH.IP ? TRUE : FALSE;
      case 229:
        return proto === ETH.IPV6 ? TRUE : FALSE;
      case 9:
        return this.cmpEq("linktype", 0, 2, pppType(proto), span);
      case 0:
        if (proto === ETH.IP) return this.loopback(2, span);
        if (proto === ETH.IPV6) {
          // files from BSDs, FreeBSD and Darwin use 24, 28 and 30 for AF_INET6
          const b1 = or(this.loopback(24, span), this.loopback(28, span));
          return or(this.loopback(30, span), b1);
        }
        return FALSE;
      default:
        if (s.offLinktype !== undefined) return this.cmpEq("linktype", 0, 2, proto, span);
        return this.err(`${this.description()} link-layer type filtering not implemented`, span);
    }
  }

  /** BSD loopback: a 32-bit address family in the capturing host's byte order. */
  private loopback(af: number, span: Span): Cond {
    const v = (this.opts.loopbackByteOrder ?? "little") === "little" ? bswap32(af) : af;
    return this.cmpEq("linkhdr", 0, 4, v, span);
  }

  private notLengthField(span: Span): Cond {
    return not(this.cmpGt("linktype", 0, 2, ETHERMTU, span));
  }

  private etherLinktype(proto: number, span: Span): Cond {
    switch (proto) {
      case LLCSAP.ISONS:
      case LLCSAP.IP:
      case LLCSAP.NETBEUI:
        return and(this.notLengthField(span), this.cmpEq("llc", 0, 2, (proto << 8) | proto, span));
      case LLCSAP.IPX: {
        let b1 = or(this.cmpEq("llc", 0, 1, LLCSAP.IPX, span), this.cmpEq("llc", 0, 2, 0xffff, span));
        b1 = or(this.snap(0x000000, ETH.IPX, span), b1);
        b1 = and(this.notLengthField(span), b1);
        return or(this.cmpEq("linktype", 0, 2, ETH.IPX, span), b1);
      }
      case ETH.ATALK:
      case ETH.AARP: {
        const b1 = and(
          this.notLengthField(span),
          proto === ETH.ATALK ? this.snap(0x080007, ETH.ATALK, span) : this.snap(0, ETH.AARP, span),
        );
        return or(this.cmpEq("linktype", 0, 2, proto, span), b1);
      }
      default:
        if (proto <= ETHERMTU) return and(this.notLengthField(span), this.cmpEq("linktype", 2, 1, proto, span));
        return this.cmpEq("linktype", 0, 2, proto, span);
    }
  }

  private sllLinktype(proto: number, span: Span): Cond {
    switch (proto) {
      case LLCSAP.ISONS:
      case LLCSAP.IP:
      case LLCSAP.NETBEUI:
        return and(
          this.cmpEq("linktype", 0, 2, LINUX_SLL_P_802_2, span),
          this.cmpEq("llc", 0, 2, (proto << 8) | proto, span),
        );
      case LLCSAP.IPX: {
        let b1 = or(this.cmpEq("llc", 0, 1, LLCSAP.IPX, span), this.snap(0, ETH.IPX, span));
        b1 = and(this.cmpEq("linktype", 0, 2, LINUX_SLL_P_802_2, span), b1);
        b1 = or(this.cmpEq("linktype", 0, 2, LINUX_SLL_P_802_3, span), b1);
        return or(this.cmpEq("linktype", 0, 2, ETH.IPX, span), b1);
      }
      case ETH.ATALK:
      case ETH.AARP: {
        const b1 = and(
          this.cmpEq("linktype", 0, 2, LINUX_SLL_P_802_2, span),
          proto === ETH.ATALK ? this.snap(0x080007, ETH.ATALK, span) : this.snap(0, ETH.AARP, span),
        );
        return or(this.cmpEq("linktype", 0, 2, proto, span), b1);
      }
      default:
        if (proto <= ETHERMTU) {
          return and(
            this.cmpEq("linktype", 0, 2, LINUX_SLL_P_802_2, span),
            this.cmpEq("linkhdr", this.s.offLinkpl!, 1, proto, span),
          );
        }
        return this.cmpEq("linktype", 0, 2, proto, span);
    }
  }

  private snap(org: number, ptype: number, span: Span): Cond {
    return this.bcmp(
      "llc",
      0,
      [
        LLCSAP.SNAP,
        LLCSAP.SNAP,
        0x03,
        (org >> 16) & 0xff,
        (org >> 8) & 0xff,
        org & 0xff,
        (ptype >> 8) & 0xff,
        ptype & 0xff,
      ],
      span,
    );
  }

  // ------------------------------------------------------------------ hosts and networks

  private hostop(
    addr: number,
    mask: number,
    dir: Qualifiers["dir"],
    proto: number,
    srcOff: number,
    dstOff: number,
    span: Span,
  ): Cond {
    switch (dir) {
      case "src":
      case "dst":
        return and(
          this.linktype(proto, span),
          this.mcmp("linkpl", dir === "src" ? srcOff : dstOff, 4, addr, mask, span),
        );
      case "and":
        return and(
          this.hostop(addr, mask, "src", proto, srcOff, dstOff, span),
          this.hostop(addr, mask, "dst", proto, srcOff, dstOff, span),
        );
      case "default":
      case "or":
        return or(
          this.hostop(addr, mask, "src", proto, srcOff, dstOff, span),
          this.hostop(addr, mask, "dst", proto, srcOff, dstOff, span),
        );
      default:
        return this.err(wlanOnly(dir, "addresses other than 802.11 MAC addresses"), span);
    }
  }

  private hostop6(
    addr: Uint8Array,
    mask: Uint8Array,
    dir: Qualifiers["dir"],
    srcOff: number,
    dstOff: number,
    span: Span,
  ): Cond {
    switch (dir) {
      case "src":
      case "dst": {
        const off = dir === "src" ? srcOff : dstOff;
        const word = (b: Uint8Array, i: number): number =>
          ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>> 0;
        let b1 = this.mcmp("linkpl", off + 12, 4, word(addr, 3), word(mask, 3), span);
        b1 = and(this.mcmp("linkpl", off + 8, 4, word(addr, 2), word(mask, 2), span), b1);
        b1 = and(this.mcmp("linkpl", off + 4, 4, word(addr, 1), word(mask, 1), span), b1);
        b1 = and(this.mcmp("linkpl", off, 4, word(addr, 0), word(mask, 0), span), b1);
        return and(this.linktype(ETH.IPV6, span), b1);
      }
      case "and":
        return and(
          this.hostop6(addr, mask, "src", srcOff, dstOff, span),
          this.hostop6(addr, mask, "dst", srcOff, dstOff, span),
        );
      case "default":
      case "or":
        return or(
          this.hostop6(addr, mask, "src", srcOff, dstOff, span),
          this.hostop6(addr, mask, "dst", srcOff, dstOff, span),
        );
      default:
        return this.err(wlanOnly(dir, "addresses other than 802.11 MAC addresses"), span);
    }
  }

  private host(
    addr: number,
    mask: number,
    proto: ProtoQual,
    dir: Qualifiers["dir"],
    type: Qualifiers["addr"],
    span: Span,
  ): Cond {
    const typestr = type === "net" ? "net" : "host";
    switch (proto) {
      case "default": {
        let b0 = this.host(addr, mask, "ip", dir, type, span);
        if (this.s.labelStackDepth === 0) {
          const b1 = or(b0, this.host(addr, mask, "arp", dir, type, span));
          b0 = or(b1, this.host(addr, mask, "rarp", dir, type, span));
        }
        return b0;
      }
      case "link":
        return this.err(`link-layer modifier applied to ${typestr}`, span);
      case "ip":
        return this.hostop(addr, mask, dir, ETH.IP, 12, 16, span);
      case "rarp":
        return this.hostop(addr, mask, dir, ETH.REVARP, 14, 24, span);
      case "arp":
        return this.hostop(addr, mask, dir, ETH.ARP, 14, 24, span);
      case "atalk":
        return this.err("AppleTalk host filtering not implemented", span);
      case "decnet":
        return this.err("DECnet host filtering is not supported by tsbpf", span, "unsupported");
      case "lat":
        return this.err("LAT host filtering not implemented", span);
      case "sca":
        return this.err("SCA host filtering not implemented", span);
      case "moprc":
        return this.err("MOPRC host filtering not implemented", span);
      case "mopdl":
        return this.err("MOPDL host filtering not implemented", span);
      case "ip6":
        return this.err("'ip6' modifier applied to ip host", span);
      case "aarp":
        return this.err("AARP host filtering not implemented", span);
      case "iso":
        return this.err("ISO host filtering not implemented", span);
      case "ipx":
        return this.err("IPX host filtering not implemented", span);
      default:
        return this.err(`'${proto}' modifier applied to ${typestr}`, span);
    }
  }

  private host6(
    addr: Uint8Array,
    mask: Uint8Array,
    proto: ProtoQual,
    dir: Qualifiers["dir"],
    type: Qualifiers["addr"],
    span: Span,
  ): Cond {
    const typestr = type === "net" ? "net" : "host";
    switch (proto) {
      case "default":
      case "ip6":
        return this.hostop6(addr, mask, dir, 8, 24, span);
      case "link":
        return this.err(`link-layer modifier applied to ip6 ${typestr}`, span);
      case "atalk":
        return this.err(`AppleTalk modifier applied to ip6 ${typestr}`, span);
      default:
        return this.err(`'${proto}' modifier applied to ip6 ${typestr}`, span);
    }
  }

  private ehostop(mac: readonly number[], dir: Qualifiers["dir"], span: Span): Cond {
    switch (dir) {
      case "src":
        return this.bcmp("linkhdr", 6, mac, span);
      case "dst":
        return this.bcmp("linkhdr", 0, mac, span);
      case "and":
        return and(this.ehostop(mac, "src", span), this.ehostop(mac, "dst", span));
      case "default":
      case "or":
        return or(this.ehostop(mac, "src", span), this.ehostop(mac, "dst", span));
      default: {
        const which = dir === "ra" ? "'ra' is" : dir === "ta" ? "'ta' is" : `'${dir}' and 'address${dir.slice(4)}' are`;
        return this.err(`${which} only supported on 802.11 with 802.11 headers`, span);
      }
    }
  }

  // ------------------------------------------------------------------ ports

  private ipfrag(span: Span): Cond {
    return not(this.jset("linkpl", 6, 2, 0x1fff, span));
  }

  private portAtoms(dir: Qualifiers["dir"], atom: (off: number) => Cond, what: string, span: Span): Cond {
    switch (dir) {
      case "src":
        return atom(0);
      case "dst":
        return atom(2);
      case "and":
        return and(atom(0), atom(2));
      case "default":
      case "or":
        return or(atom(0), atom(2));
      default:
        return this.err(wlanOnly(dir, what), span);
    }
  }

  private portop(port: number, proto: number, dir: Qualifiers["dir"], span: Span): Cond {
    const b0 = and(this.cmpEq("linkpl", 9, 1, proto, span), this.ipfrag(span));
    return and(
      b0,
      this.portAtoms(dir, (off) => this.cmpEq("tran_ipv4", off, 2, port, span), "ports", span),
    );
  }

  private portop6(port: number, proto: number, dir: Qualifiers["dir"], span: Span): Cond {
    const b0 = this.cmpEq("linkpl", 6, 1, proto, span);
    return and(
      b0,
      this.portAtoms(dir, (off) => this.cmpEq("tran_ipv6", off, 2, port, span), "ports", span),
    );
  }

  private portrangeAtom(rel: "tran_ipv4" | "tran_ipv6", off: number, v1: number, v2: number, span: Span): Cond {
    if (v1 > v2) [v1, v2] = [v2, v1];
    return and(this.cmpGe(rel, off, 2, v1, span), this.cmpLe(rel, off, 2, v2, span));
  }

  private portrangeop(p1: number, p2: number, proto: number, dir: Qualifiers["dir"], span: Span): Cond {
    const b0 = and(this.cmpEq("linkpl", 9, 1, proto, span), this.ipfrag(span));
    return and(
      b0,
      this.portAtoms(dir, (off) => this.portrangeAtom("tran_ipv4", off, p1, p2, span), "port ranges", span),
    );
  }

  private portrangeop6(p1: number, p2: number, proto: number, dir: Qualifiers["dir"], span: Span): Cond {
    const b0 = this.cmpEq("linkpl", 6, 1, proto, span);
    return and(
      b0,
      this.portAtoms(dir, (off) => this.portrangeAtom("tran_ipv6", off, p1, p2, span), "port ranges", span),
    );
  }

  /** Ports on TCP, UDP and SCTP (in the order libpcap tests them: SCTP, TCP, UDP). */
  private forProtos(ipProto: number | "any", one: (proto: number) => Cond): Cond {
    if (ipProto !== "any") return one(ipProto);
    const b1 = or(one(IPPROTO.TCP), one(IPPROTO.UDP));
    return or(one(IPPROTO.SCTP), b1);
  }

  private port(port: number, ipProto: number | "any", dir: Qualifiers["dir"], span: Span): Cond {
    const v4 = and(
      this.linktype(ETH.IP, span),
      this.forProtos(ipProto, (p) => this.portop(port, p, dir, span)),
    );
    const v6 = and(
      this.linktype(ETH.IPV6, span),
      this.forProtos(ipProto, (p) => this.portop6(port, p, dir, span)),
    );
    return or(v6, v4);
  }

  private portrange(p1: number, p2: number, ipProto: number | "any", dir: Qualifiers["dir"], span: Span): Cond {
    const v4 = and(
      this.linktype(ETH.IP, span),
      this.forProtos(ipProto, (p) => this.portrangeop(p1, p2, p, dir, span)),
    );
    const v6 = and(
      this.linktype(ETH.IPV6, span),
      this.forProtos(ipProto, (p) => this.portrangeop6(p1, p2, p, dir, span)),
    );
    return or(v6, v4);
  }

  /** The IP protocol a port qualifier asks for, with tcpdump's complaints about mismatches. */
  private portProto(proto: ProtoQual, what: "port" | "portrange", span: Span): number | "any" {
    if (proto === "udp") return IPPROTO.UDP;
    if (proto === "tcp") return IPPROTO.TCP;
    if (proto === "sctp") return IPPROTO.SCTP;
    if (proto === "default") return "any";
    return this.err(`illegal qualifier of '${what}'`, span);
  }

  private checkNamedPortProto(
    proto: ProtoQual,
    real: number | "any",
    name: string,
    inRange: boolean,
    span: Span,
  ): number | "any" {
    const label = inRange ? `port in range '${name}'` : `port '${name}'`;
    const is = (p: number | "any"): string => (p === IPPROTO.TCP ? "tcp" : p === IPPROTO.UDP ? "udp" : "sctp");
    const want =
      proto === "udp" ? IPPROTO.UDP : proto === "tcp" ? IPPROTO.TCP : proto === "sctp" ? IPPROTO.SCTP : undefined;
    if (want === undefined) return real;
    if (real !== "any" && real !== want) this.err(`${label} is ${is(real)}`, span);
    return want;
  }

  // ------------------------------------------------------------------ protocols

  private proto(v: number, proto: ProtoQual, dir: Qualifiers["dir"], span: Span): Cond {
    if (dir !== "default") this.err("direction applied to 'proto'", span);
    switch (proto) {
      case "default":
        return or(this.proto(v, "ip", dir, span), this.proto(v, "ip6", dir, span));
      case "link":
        return this.linktype(v, span);
      case "ip":
        return and(this.linktype(ETH.IP, span), this.cmpEq("linkpl", 9, 1, v, span));
      case "ip6": {
        let b1 = and(this.cmpEq("linkpl", 6, 1, IPPROTO.IPV6_FRAGMENT, span), this.cmpEq("linkpl", 40, 1, v, span));
        b1 = or(this.cmpEq("linkpl", 6, 1, v, span), b1);
        return and(this.linktype(ETH.IPV6, span), b1);
      }
      case "iso":
        if (this.s.linkType === 104)
          return and(
            this.linktype((LLCSAP.ISONS << 8) | LLCSAP.ISONS, span),
            this.cmpEq("linkpl_nosnap", 1, 1, v, span),
          );
        return and(this.linktype(LLCSAP.ISONS, span), this.cmpEq("linkpl_nosnap", 0, 1, v, span));
      case "isis":
        return and(this.proto(ISO.ISIS, "iso", "default", span), this.cmpEq("linkpl_nosnap", 4, 1, v, span));
      case "arp":
        return this.err("arp does not encapsulate another protocol", span);
      case "rarp":
        return this.err("rarp does not encapsulate another protocol", span);
      case "atalk":
        return this.err("AppleTalk encapsulation is not specifiable", span);
      case "decnet":
        return this.err("DECNET encapsulation is not specifiable", span);
      case "lat":
        return this.err("LAT does not encapsulate another protocol", span);
      case "sca":
        return this.err("SCA does not encapsulate another protocol", span);
      case "moprc":
        return this.err("MOPRC does not encapsulate another protocol", span);
      case "mopdl":
        return this.err("MOPDL does not encapsulate another protocol", span);
      case "clnp":
        return this.err("'clnp proto' is not supported", span);
      default:
        return this.err(`'${proto} proto' is bogus`, span);
    }
  }

  /** A protocol keyword alone: ip, tcp, arp, … */
  private protoAbbrev(proto: ProtoQual, span: Span): Cond {
    const isis = (...pdus: number[]): Cond => {
      let b1 = or(this.proto(pdus[0]!, "isis", "default", span), this.proto(pdus[1]!, "isis", "default", span));
      for (const p of pdus.slice(2)) b1 = or(this.proto(p, "isis", "default", span), b1);
      return b1;
    };
    switch (proto) {
      case "sctp":
        return this.proto(IPPROTO.SCTP, "default", "default", span);
      case "tcp":
        return this.proto(IPPROTO.TCP, "default", "default", span);
      case "udp":
        return this.proto(IPPROTO.UDP, "default", "default", span);
      case "icmp":
        return this.proto(IPPROTO.ICMP, "ip", "default", span);
      case "igmp":
        return this.proto(IPPROTO.IGMP, "ip", "default", span);
      case "igrp":
        return this.proto(IPPROTO.IGRP, "ip", "default", span);
      case "pim":
        return this.proto(IPPROTO.PIM, "default", "default", span);
      case "vrrp":
      case "carp":
        return this.proto(IPPROTO.VRRP, "ip", "default", span);
      case "ip":
        return this.linktype(ETH.IP, span);
      case "arp":
        return this.linktype(ETH.ARP, span);
      case "rarp":
        return this.linktype(ETH.REVARP, span);
      case "link":
        return this.err("link layer applied in wrong context", span);
      case "atalk":
        return this.linktype(ETH.ATALK, span);
      case "aarp":
        return this.linktype(ETH.AARP, span);
      case "decnet":
        return this.linktype(ETH.DN, span);
      case "sca":
        return this.linktype(ETH.SCA, span);
      case "lat":
        return this.linktype(ETH.LAT, span);
      case "mopdl":
        return this.linktype(ETH.MOPDL, span);
      case "moprc":
        return this.linktype(ETH.MOPRC, span);
      case "ip6":
        return this.linktype(ETH.IPV6, span);
      case "icmp6":
        return this.proto(IPPROTO.ICMPV6, "ip6", "default", span);
      case "ah":
        return this.proto(IPPROTO.AH, "default", "default", span);
      case "esp":
        return this.proto(IPPROTO.ESP, "default", "default", span);
      case "iso":
        return this.linktype(LLCSAP.ISONS, span);
      case "esis":
        return this.proto(ISO.ESIS, "iso", "default", span);
      case "isis":
        return this.proto(ISO.ISIS, "iso", "default", span);
      case "l1":
        return isis(ISIS_PDU.L1_LAN_IIH, ISIS_PDU.PTP_IIH, ISIS_PDU.L1_LSP, ISIS_PDU.L1_CSNP, ISIS_PDU.L1_PSNP);
      case "l2":
        return isis(ISIS_PDU.L2_LAN_IIH, ISIS_PDU.PTP_IIH, ISIS_PDU.L2_LSP, ISIS_PDU.L2_CSNP, ISIS_PDU.L2_PSNP);
      case "iih":
        return isis(ISIS_PDU.L1_LAN_IIH, ISIS_PDU.L2_LAN_IIH, ISIS_PDU.PTP_IIH);
      case "lsp":
        return isis(ISIS_PDU.L1_LSP, ISIS_PDU.L2_LSP);
      case "snp":
        return isis(ISIS_PDU.L1_CSNP, ISIS_PDU.L2_CSNP, ISIS_PDU.L1_PSNP, ISIS_PDU.L2_PSNP);
      case "csnp":
        return isis(ISIS_PDU.L1_CSNP, ISIS_PDU.L2_CSNP);
      case "psnp":
        return isis(ISIS_PDU.L1_PSNP, ISIS_PDU.L2_PSNP);
      case "clnp":
        return this.proto(ISO.CLNP, "iso", "default", span);
      case "stp":
        return this.linktype(LLCSAP.STP, span);
      case "ipx":
        return this.linktype(LLCSAP.IPX, span);
      case "netbeui":
        return this.linktype(LLCSAP.NETBEUI, span);
      case "radio":
        return this.err("'radio' is not a valid protocol type", span);
      default:
        return this.err(`unknown protocol ${proto}`, span);
    }
  }

  // ------------------------------------------------------------------ ids with qualifiers

  private primitive(e: Extract<Expr, { type: "primitive" }>): Cond {
    const { q, id, span } = e;
    switch (id.kind) {
      case "name":
        return this.scode(id.text, q, span);
      case "number":
        return this.ncode(undefined, id.value, q, span);
      case "ipv4": {
        if (q.addr === "port" || q.addr === "portrange" || q.addr === "proto" || q.addr === "protochain") {
          this.err(`'${q.addr}' modifier applied to ip host`, span);
        }
        return this.ncode(id.text, 0, q, span);
      }
      case "ipv4-cidr":
        return this.mcode(id.text, undefined, id.maskLength, q, span);
      case "ipv4-mask":
        return this.mcode(id.text, id.mask, 0, q, span);
      case "ipv6":
        return this.mcode6(id, q, span);
      case "mac":
        return this.ecode(id.text, q, span);
      case "arcnet":
        return this.err("aid supported only on ARCnet", span);
    }
  }

  private syntaxUndef(span: Span): never {
    return this.err("syntax error in filter expression", span);
  }

  private scode(name: string, q: Qualifiers, span: Span): Cond {
    const { proto, dir } = q;
    switch (q.addr) {
      case "net": {
        let addr = lookupNetwork(name);
        if (addr === 0) this.err(`unknown network '${name}'`, span);
        let mask = 0xffffffff;
        while (addr && (addr & 0xff000000) === 0) {
          addr = (addr << 8) >>> 0;
          mask = (mask << 8) >>> 0;
        }
        return this.host(addr, mask, proto, dir, q.addr, span);
      }
      case "default":
      case "host": {
        if (proto === "link") {
          if (this.s.linkType === 1) return this.err(`unknown ether host '${name}'`, span);
          return this.err(
            "only ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel supports link-level host name",
            span,
          );
        }
        if (proto === "decnet")
          return this.err(`decnet name support not included, '${name}' cannot be translated`, span);
        const addrs = lookupHost(name);
        if (addrs.length === 0) this.err(`unknown host '${name}'`, span);
        let tproto = proto,
          tproto6 = proto;
        if (this.s.offLinktype === undefined && proto === "default") {
          tproto = "ip";
          tproto6 = "ip6";
        }
        let b: Cond | null = null;
        for (const a of addrs) {
          let tmp: Cond;
          if (a.includes(":")) {
            if (tproto6 === "ip") continue;
            const bytes = parseIpv6(a);
            if (!bytes) continue;
            tmp = this.host6(bytes, new Uint8Array(16).fill(0xff), tproto6, dir, q.addr, span);
          } else {
            if (tproto === "ip6") continue;
            const v = atoin(a);
            if (!v || v.bits !== 32) continue;
            tmp = this.host(v.value, 0xffffffff, tproto, dir, q.addr, span);
          }
          b = b === null ? tmp : or(b, tmp);
        }
        if (b === null)
          this.err(`unknown host '${name}'${proto === "default" ? "" : " for specified address family"}`, span);
        return b;
      }
      case "port": {
        if (proto !== "default" && proto !== "udp" && proto !== "tcp" && proto !== "sctp")
          this.err("illegal qualifier of 'port'", span);
        const r = lookupPort(name);
        if (!r) this.err(`unknown port '${name}'`, span);
        const real = this.checkNamedPortProto(proto, r.proto, name, false, span);
        if (r.port > 65535) this.err(`illegal port number ${r.port} > 65535`, span);
        return this.port(r.port, real, dir, span);
      }
      case "portrange": {
        if (proto !== "default" && proto !== "udp" && proto !== "tcp" && proto !== "sctp")
          this.err("illegal qualifier of 'portrange'", span);
        const r = lookupPortRange(name);
        if (!r) this.err(`unknown port in range '${name}'`, span);
        const real = this.checkNamedPortProto(proto, r.proto, name, true, span);
        for (const p of [r.first, r.last]) {
          if (p < 0) this.err(`illegal port number ${p} < 0`, span);
          if (p > 65535) this.err(`illegal port number ${p} > 65535`, span);
        }
        return this.portrange(r.first, r.last, real, dir, span);
      }
      case "gateway":
        return this.err("'gateway' not supported in this configuration", span);
      case "proto": {
        const v = this.lookupProto(name, proto, span);
        return this.proto(v, proto, dir, span);
      }
      case "protochain":
        this.lookupProto(name, proto, span);
        return this.err("'protochain' is not supported by tsbpf", span, "unsupported");
      case "undef":
        return this.syntaxUndef(span);
    }
  }

  private lookupProto(name: string, proto: ProtoQual, span: Span): number {
    switch (proto) {
      case "default":
      case "ip":
      case "ip6": {
        const v = lookupIpProtocol(name);
        if (v === undefined) this.err(`unknown ip proto '${name}'`, span);
        return v;
      }
      case "link": {
        const v = lookupEtherProtocol(name);
        if (v === undefined) this.err(`unknown ether proto '${name}'`, span);
        return v;
      }
      case "iso": {
        const v = name === "esis" ? ISO.ESIS : name === "isis" ? ISO.ISIS : name === "clnp" ? ISO.CLNP : undefined;
        if (v === undefined) this.err(`unknown osi proto '${name}'`, span);
        return v;
      }
      default:
        return this.err(`unknown protocol: ${name}`, span);
    }
  }

  private ncode(text: string | undefined, v: number, q: Qualifiers, span: Span): Cond {
    const { proto, dir } = q;
    let bits = 32;
    if (text !== undefined) {
      if (proto === "decnet") return this.err("DECnet addresses are not supported by tsbpf", span, "unsupported");
      const r = atoin(text);
      if (!r) this.err(`invalid IPv4 address '${text}'`, span);
      v = r.value;
      bits = r.bits;
    }
    switch (q.addr) {
      case "default":
      case "host":
      case "net": {
        if (proto === "decnet") return this.err("DECnet addresses are not supported by tsbpf", span, "unsupported");
        if (proto === "link") this.err("illegal link layer address", span);
        let mask = 0xffffffff;
        if (text === undefined && q.addr === "net") {
          while (v && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0;
            mask = (mask << 8) >>> 0;
          }
        } else {
          v = shl32(v, 32 - bits);
          mask = shl32(mask, 32 - bits);
        }
        return this.host(v, mask, proto, dir, q.addr, span);
      }
      case "port": {
        const p = this.portProto(proto, "port", span);
        if (v > 65535) this.err(`illegal port number ${v} > 65535`, span);
        return this.port(v, p, dir, span);
      }
      case "portrange": {
        const p = this.portProto(proto, "portrange", span);
        if (v > 65535) this.err(`illegal port number ${v} > 65535`, span);
        return this.portrange(v, v, p, dir, span);
      }
      case "gateway":
        return this.err("'gateway' requires a name", span);
      case "proto":
        return this.proto(v, proto, dir, span);
      case "protochain":
        return this.err("'protochain' is not supported by tsbpf", span, "unsupported");
      case "undef":
        return this.syntaxUndef(span);
    }
  }

  private mcode(s1: string, s2: string | undefined, masklen: number, q: Qualifiers, span: Span): Cond {
    const a = atoin(s1);
    if (!a) this.err(`invalid IPv4 address '${s1}'`, span);
    const n = shl32(a.value, 32 - a.bits);
    let m: number;
    if (s2 !== undefined) {
      const b = atoin(s2);
      if (!b) this.err(`invalid IPv4 address '${s2}'`, span);
      m = shl32(b.value, 32 - b.bits);
      if ((n & ~m) >>> 0 !== 0) this.err(`non-network bits set in "${s1} mask ${s2}"`, span);
    } else {
      if (masklen > 32) this.err("mask length must be <= 32", span);
      m = masklen === 0 ? 0 : shl32(0xffffffff, 32 - masklen);
      if ((n & ~m) >>> 0 !== 0) this.err(`non-network bits set in "${s1}/${masklen}"`, span);
    }
    if (q.addr === "net") return this.host(n, m, q.proto, q.dir, q.addr, span);
    return this.err("Mask syntax for networks only", span);
  }

  private mcode6(id: Extract<IdValue, { kind: "ipv6" }>, q: Qualifiers, span: Span): Cond {
    const addr = parseIpv6(id.text);
    if (!addr) return this.err(`invalid ip6 address ${id.text}`, span);
    const masklen = id.maskLength;
    if (masklen > 128) this.err("mask length must be <= 128", span);
    const mask = new Uint8Array(16);
    for (let i = 0; i < Math.floor(masklen / 8); i++) mask[i] = 0xff;
    if (masklen % 8) mask[Math.floor(masklen / 8)] = (0xff << (8 - (masklen % 8))) & 0xff;
    for (let i = 0; i < 16; i++)
      if (addr[i]! & ~mask[i]!) this.err(`non-network bits set in "${id.text}/${masklen}"`, span);
    switch (q.addr) {
      case "default":
      case "host":
        if (masklen !== 128) this.err("Mask syntax for networks only", span);
        return this.host6(addr, mask, q.proto, q.dir, q.addr, span);
      case "net":
        return this.host6(addr, mask, q.proto, q.dir, q.addr, span);
      default:
        return this.err("invalid qualifier against IPv6 address", span);
    }
  }

  private ecode(text: string, q: Qualifiers, span: Span): Cond {
    if ((q.addr === "host" || q.addr === "default") && q.proto === "link") {
      if (this.s.linkType !== 1)
        this.err("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel", span);
      return this.ehostop(etherAton(text), q.dir, span);
    }
    return this.err("ethernet address used in non-ether expression", span);
  }

  // ------------------------------------------------------------------ arithmetic

  private arith(a: Arith): ArithResult {
    switch (a.type) {
      case "num":
        return { val: konst(a.value), conds: null, firstImm: a.value };
      case "len":
        return { val: LEN, conds: null, firstImm: undefined };
      case "neg": {
        const r = this.arith(a.operand);
        return { val: neg(r.val), conds: r.conds, firstImm: r.firstImm };
      }
      case "binary": {
        const l = this.arith(a.left);
        const r = this.arith(a.right);
        const op = (
          {
            "+": "add",
            "-": "sub",
            "*": "mul",
            "/": "div",
            "%": "mod",
            "&": "and",
            "|": "or",
            "^": "xor",
            "<<": "lsh",
            ">>": "rsh",
          } as const
        )[a.op];
        // tcpdump looks at the first instruction of the right operand, which is its leftmost constant
        if (op === "div" && r.firstImm === 0) this.err("division by zero", a.right.span);
        if (op === "mod" && r.firstImm === 0) this.err("modulus by zero", a.right.span);
        if ((op === "lsh" || op === "rsh") && r.firstImm !== undefined && r.firstImm > 31)
          this.err("shift by more than 31 bits", a.right.span);
        // constant expressions tcpdump refuses (x / 0 after folding) are found when the graph is optimized
        const val = alu(op, l.val, r.val, a.span);
        // like libpcap, only the left operand's protocol conditions survive an arithmetic operation
        return { val, conds: l.conds, firstImm: l.firstImm };
      }
      case "load":
        return this.load(a);
    }
  }

  private load(a: Extract<Arith, { type: "load" }>): ArithResult {
    const inst = this.arith(a.index);
    const size = a.size;
    if (size !== 1 && size !== 2 && size !== 4) this.err("data size must be 1, 2, or 4", a.sizeSpan ?? a.span);
    const s = this.s;
    const span = a.span;
    switch (a.proto) {
      case "radio":
        return this.err("radio information not present in capture", span);
      case "link":
        return { val: loadIndexed(inst.val, s.offLinkhdr, size), conds: inst.conds, firstImm: inst.firstImm };
      case "ip":
      case "arp":
      case "rarp":
      case "atalk":
      case "decnet":
      case "sca":
      case "lat":
      case "moprc":
      case "mopdl":
      case "ip6": {
        if (s.offLinkpl === undefined) this.protoAbbrev(a.proto, span);
        if (s.offLinkpl === undefined) this.err(`${this.description()} has no network layer for this load`, span);
        const val = loadIndexed(inst.val, s.offLinkpl + s.offNl, size);
        const b = this.protoAbbrev(a.proto, span);
        return { val, conds: inst.conds ? and(inst.conds, b) : b, firstImm: inst.firstImm };
      }
      case "sctp":
      case "tcp":
      case "udp":
      case "icmp":
      case "igmp":
      case "igrp":
      case "pim":
      case "vrrp":
      case "carp": {
        if (s.offLinkpl === undefined) this.protoAbbrev(a.proto, span);
        if (s.offLinkpl === undefined) this.err(`${this.description()} has no network layer for this load`, span);
        const base = s.offLinkpl + s.offNl;
        const index = alu("add", inst.val, ipHeaderLength(base));
        const val = loadIndexed(index, base, size);
        let b = and(this.protoAbbrev(a.proto, span), this.ipfrag(span));
        if (inst.conds) b = and(inst.conds, b);
        b = and(this.protoAbbrev("ip", span), b);
        return { val, conds: b, firstImm: inst.firstImm };
      }
      case "icmp6": {
        if (s.offLinkpl === undefined) this.protoAbbrev("ip6", span);
        if (s.offLinkpl === undefined) this.err(`${this.description()} has no network layer for this load`, span);
        let b = this.protoAbbrev("ip6", span);
        if (inst.conds) b = and(inst.conds, b);
        b = and(b, this.cmpEq("linkpl", 6, 1, IPPROTO.ICMPV6, span));
        return { val: loadIndexed(inst.val, s.offLinkpl + s.offNl + 40, size), conds: b, firstImm: inst.firstImm };
      }
      default:
        return this.err("unsupported index operation", span);
    }
  }

  private relation(e: Extract<Expr, { type: "relation" }>): Cond {
    // libpcap evaluates arithmetic in 16 scratch registers and refuses what needs more
    if (Math.max(registersFor(e.left), 1 + registersFor(e.right)) > 16)
      this.err("too many registers needed to evaluate expression", e.span);
    const a0 = this.arith(e.left);
    const a1 = this.arith(e.right);
    const op = e.op === ">" || e.op === "<=" ? "gt" : e.op === ">=" || e.op === "<" ? "ge" : "eq";
    const reversed = e.op === "<=" || e.op === "<" || e.op === "!=";
    let test = cmp(op, a0.val, a1.val);
    if (reversed) test = not(test);
    const conds = a0.conds && a1.conds ? and(a0.conds, a1.conds) : (a0.conds ?? a1.conds);
    return conds ? and(conds, test) : test;
  }

  // ------------------------------------------------------------------ the rest

  private vlan(e: TagExpr): Cond {
    const s = this.s;
    if (s.labelStackDepth > 0) this.err("no VLAN match after MPLS", e.span);
    if (s.linkType !== 1) this.err(`no VLAN support for ${this.description()}`, e.span);
    let b0 = or(
      or(this.linktype(ETH.VLAN, e.span), this.linktype(ETH.QINQ_AD, e.span)),
      this.linktype(ETH.QINQ_OLD, e.span),
    );
    if (e.value !== undefined) {
      if (e.value > 0x0fff) this.err(`VLAN tag ${e.value} greater than maximum 4095`, e.span);
      b0 = and(b0, this.mcmp("linkpl", 0, 2, e.value, 0x0fff, e.span));
    }
    // everything after this primitive looks 4 bytes further in
    s.offLinkpl! += 4;
    s.offLinktype! += 4;
    s.vlanStackDepth++;
    return b0;
  }

  private mpls(e: TagExpr): Cond {
    const s = this.s;
    let b0: Cond;
    if (s.labelStackDepth > 0) b0 = this.mcmp("prevmplshdr", 2, 1, 0, 0x01, e.span);
    else if (s.linkType === 1 || s.linkType === 104) b0 = this.linktype(ETH.MPLS, e.span);
    else if (s.linkType === 9) b0 = this.linktype(PPP.MPLS_UCAST, e.span);
    else return this.err(`no MPLS support for ${this.description()}`, e.span);
    if (e.value !== undefined) {
      if (e.value > 0xfffff) this.err(`MPLS label ${e.value} greater than maximum 1048575`, e.span);
      b0 = and(b0, this.mcmp("linkpl", 0, 4, shl32(e.value, 12), 0xfffff000, e.span));
    }
    s.offNlNosnap += 4;
    s.offNl += 4;
    s.labelStackDepth++;
    return b0;
  }

  private pppoes(e: TagExpr): Cond {
    const s = this.s;
    let b0 = this.linktype(ETH.PPPOES, e.span);
    if (e.value !== undefined) {
      if (e.value > 0xffff) this.err(`PPPoE session number ${e.value} greater than maximum 65535`, e.span);
      b0 = and(b0, this.mcmp("linkpl", 0, 4, e.value, 0x0000ffff, e.span));
    }
    if (s.offLinkpl === undefined) this.err(`${this.description()} has no payload for PPPoE`, e.span);
    // later primitives see a PPP header 6 bytes past the PPPoE header
    const pppHeader = s.offLinkpl + s.offNl + 6;
    s.linkType = 9;
    s.offLinkhdr = pppHeader;
    s.offLinktype = pppHeader;
    s.offLinkpl = pppHeader + 2;
    s.offNl = 0;
    s.offNlNosnap = 0;
    return b0;
  }

  private llc(e: Extract<Expr, { type: "llc" }>): Cond {
    if (this.s.linkType !== 1) this.err(`'llc' not supported for ${this.description()}`, e.span);
    const base = and(this.notLengthField(e.span), not(this.cmpEq("llc", 0, 2, 0xffff, e.span)));
    const sub = e.subtype;
    if (sub === undefined) return base;
    const lower = sub.toLowerCase();
    if (lower === "i") return and(base, not(this.jset("llc", 2, 1, 0x01, e.span)));
    if (lower === "s") return and(base, this.mcmp("llc", 2, 1, 0x01, 0x03, e.span));
    if (lower === "u") return and(base, this.mcmp("llc", 2, 1, 0x03, 0x03, e.span));
    const s = LLC_S_SUBTYPES[sub];
    if (s !== undefined) return and(base, this.mcmp("llc", 2, 1, s, 0x0f, e.span));
    const u = LLC_U_SUBTYPES[sub];
    if (u !== undefined) return and(base, this.mcmp("llc", 2, 1, u, 0xef, e.span));
    return this.err(`unknown LLC type name "${sub}"`, e.span);
  }

  /**
   * The conditions of an expression. and/or/not go on an explicit stack (however deep the input
   * nests), left operand first: lowering has state (vlan, mpls and pppoes move the offsets of what
   * follows them), so the order is tcpdump's.
   */
  expr(root: Expr): Cond {
    type Task = { e: Expr } | { join: "and" | "or" } | { negate: true };
    const tasks: Task[] = [{ e: root }];
    const done: Cond[] = [];
    while (tasks.length) {
      const task = tasks.pop()!;
      if ("join" in task) {
        const b = done.pop()!,
          a = done.pop()!;
        done.push(task.join === "and" ? and(a, b) : or(a, b));
      } else if ("negate" in task) done.push(not(done.pop()!));
      else {
        const e = task.e;
        if (e.type === "and" || e.type === "or") tasks.push({ join: e.type }, { e: e.right }, { e: e.left });
        else if (e.type === "not") tasks.push({ negate: true }, { e: e.operand });
        else done.push(this.term(e as Term)); // (TypeScript does not narrow the "and" | "or" member)
      }
    }
    return done.pop()!;
  }

  /** The conditions of one term (not and/or/not). */
  private term(e: Term): Cond {
    switch (e.type) {
      case "primitive":
        return this.primitive(e);
      case "protocol":
        return this.protoAbbrev(e.proto, e.span);
      case "relation":
        return this.relation(e);
      case "broadcast": {
        if (e.proto === "default" || e.proto === "link") {
          if (this.s.linkType !== 1) this.err("not a broadcast link", e.span);
          return this.ehostop([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "dst", e.span);
        }
        if (e.proto === "ip") {
          const netmask = this.opts.netmask ?? 0;
          if (netmask >>> 0 === 0xffffffff) this.err("netmask not known, so 'ip broadcast' not supported", e.span);
          const hostmask = ~netmask >>> 0;
          const b0 = this.linktype(ETH.IP, e.span);
          const b2 = or(
            this.mcmp("linkpl", 16, 4, 0, hostmask, e.span),
            this.mcmp("linkpl", 16, 4, hostmask, hostmask, e.span),
          );
          return and(b0, b2);
        }
        return this.err("only link-layer/IP broadcast filters supported", e.span);
      }
      case "multicast": {
        if ((e.proto === "default" || e.proto === "link") && this.s.linkType === 1)
          return this.jset("linkhdr", 0, 1, 1, e.span);
        if (e.proto === "ip") return and(this.linktype(ETH.IP, e.span), this.cmpGe("linkpl", 16, 1, 224, e.span));
        if (e.proto === "ip6") return and(this.linktype(ETH.IPV6, e.span), this.cmpEq("linkpl", 24, 1, 255, e.span));
        return this.err(
          "link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel",
          e.span,
        );
      }
      case "less":
        return not(cmp("gt", LEN, konst(e.value)));
      case "greater":
        return cmp("ge", LEN, konst(e.value));
      case "byte":
        if (e.op === "=") return this.cmpEq("linkhdr", e.index, 1, e.value, e.span);
        if (e.op === "<") return this.cmpLt("linkhdr", e.index, 1, e.value, e.span);
        if (e.op === ">") return this.cmpGt("linkhdr", e.index, 1, e.value, e.span);
        return this.err(
          `'byte ${e.index} ${e.op} ${e.value}': tcpdump compiles this without loading the byte, so tsbpf does not support it; write ether[${e.index}] ${e.op} ${e.value} != 0`,
          e.span,
          "unsupported",
        );
      case "vlan":
        return this.vlan(e);
      case "mpls":
        return this.mpls(e);
      case "pppoed":
        return this.linktype(ETH.PPPOED, e.span);
      case "pppoes":
        return this.pppoes(e);
      case "geneve":
        return this.err("'geneve' is not supported by tsbpf", e.span, "unsupported");
      case "inbound":
      case "outbound": {
        const out = e.type === "outbound";
        if (this.s.linkType === 113) {
          const b = this.cmpEq("linkhdr", 0, 2, LINUX_SLL_OUTGOING, e.span);
          return out ? b : not(b);
        }
        if (this.s.linkType === 276) {
          const b = this.cmpEq("linkhdr", 10, 1, LINUX_SLL_OUTGOING, e.span);
          return out ? b : not(b);
        }
        return this.err(`inbound/outbound not supported on ${this.description()} when reading savefiles`, e.span);
      }
      case "ifindex":
        if (this.s.linkType === 276) return this.cmpEq("linkhdr", 4, 4, e.value, e.span);
        return this.err(`ifindex not supported on ${this.description()} when reading savefiles`, e.span);
      case "llc":
        return this.llc(e);
      case "other": {
        const msgs: Record<string, string> = {
          pf: "not a pflog capture",
          "802.11": "802.11 link-layer types supported only on 802.11",
          atm: `'${e.keyword}' supported only on raw ATM`,
          mtp2: `'${e.keyword}' supported only on MTP2`,
          mtp3: `'${e.keyword}' supported only on SS7`,
        };
        return this.err(msgs[e.what] ?? `'${e.keyword}' is not supported`, e.span);
      }
    }
  }
}

/** Scratch registers libpcap holds at once while computing `a` (a load holds its index and its result for a moment). */
function registersFor(a: Arith): number {
  switch (a.type) {
    case "num":
    case "len":
      return 1;
    case "neg":
      return registersFor(a.operand);
    case "load":
      return Math.max(registersFor(a.index), 2);
    case "binary":
      return Math.max(registersFor(a.left), 1 + registersFor(a.right));
  }
}

function wlanOnly(dir: Qualifiers["dir"], what: string): string {
  if (dir === "ra") return `'ra' is not a valid qualifier for ${what}`;
  if (dir === "ta") return `'ta' is not a valid qualifier for ${what}`;
  const n = dir.slice(4);
  return `'addr${n}' and 'address${n}' are not valid qualifiers for ${what}`;
}

function pppType(proto: number): number {
  switch (proto) {
    case ETH.IP:
      return PPP.IP;
    case ETH.IPV6:
      return PPP.IPV6;
    case ETH.DN:
      return PPP.DECNET;
    case ETH.ATALK:
      return PPP.APPLE;
    case ETH.NS:
      return PPP.NS;
    case LLCSAP.ISONS:
      return PPP.OSI;
    case LLCSAP.STP:
      return PPP.BRPDU;
    case LLCSAP.IPX:
      return PPP.IPX;
    default:
      return proto;
  }
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function initialState(linkType: number, unknown: () => never): State {
  const base = { offLinkhdr: 0, offNl: 0, offNlNosnap: 0, labelStackDepth: 0, vlanStackDepth: 0, linkType };
  switch (linkType) {
    case 1:
      return { ...base, offLinktype: 12, offLinkpl: 14, offNlNosnap: 3 };
    case 0:
      return { ...base, offLinktype: 0, offLinkpl: 4 };
    case 9:
    case 104:
      return { ...base, offLinktype: 2, offLinkpl: 4 };
    case 101:
    case 228:
    case 229:
      return { ...base, offLinktype: undefined, offLinkpl: 0 };
    case 113:
      return { ...base, offLinktype: 14, offLinkpl: 16 };
    case 276:
      return { ...base, offLinktype: 0, offLinkpl: 20 };
    default:
      // other link types: only raw byte tests, as libpcap compiles them
      if (linkType >= MATCHING_MIN && linkType <= MATCHING_MAX)
        return { ...base, offLinktype: undefined, offLinkpl: undefined };
      return unknown();
  }
}

/** The conditions an expression stands for (TRUE for the empty expression). Throws FilterError. */
export function lowerFilter(ast: FilterAst, options: LowerOptions): Cond {
  const l = new Lowering(ast.source, options);
  return ast.expr ? l.expr(ast.expr) : TRUE;
}
