// The syntax tree of a filter expression. Every node keeps its span in the source text, so
// semantic errors can point at the part of the expression they are about.

export interface Span {
  start: number;
  end: number;
}

/** Protocol qualifiers (tcpdump's "proto" qualifier and the protocol keywords). */
export type ProtoQual =
  | "default"
  | "undef"
  | "link"
  | "ip"
  | "arp"
  | "rarp"
  | "sctp"
  | "tcp"
  | "udp"
  | "icmp"
  | "igmp"
  | "igrp"
  | "pim"
  | "vrrp"
  | "carp"
  | "atalk"
  | "aarp"
  | "decnet"
  | "lat"
  | "sca"
  | "moprc"
  | "mopdl"
  | "ip6"
  | "icmp6"
  | "ah"
  | "esp"
  | "iso"
  | "esis"
  | "isis"
  | "l1"
  | "l2"
  | "iih"
  | "lsp"
  | "snp"
  | "csnp"
  | "psnp"
  | "clnp"
  | "stp"
  | "ipx"
  | "netbeui"
  | "radio";

/** Direction qualifiers. "or" is `src or dst`, "and" is `src and dst`. */
export type DirQual =
  | "default"
  | "undef"
  | "src"
  | "dst"
  | "or"
  | "and"
  | "addr1"
  | "addr2"
  | "addr3"
  | "addr4"
  | "ra"
  | "ta";

/** Address-type qualifiers. */
export type AddrQual = "default" | "undef" | "host" | "net" | "port" | "portrange" | "proto" | "protochain" | "gateway";

export interface Qualifiers {
  proto: ProtoQual;
  dir: DirQual;
  addr: AddrQual;
}

/** The qualifiers of something that has none to give (an arithmetic relation, `ip`, `less 10`). */
export const NO_QUALIFIERS: Qualifiers = Object.freeze({ proto: "undef", dir: "undef", addr: "undef" });

/** What follows the qualifiers: a name, number or address as written. */
export type IdValue =
  | { kind: "name"; text: string; span: Span }
  | { kind: "number"; value: number; span: Span }
  | { kind: "ipv4"; text: string; span: Span }
  | { kind: "ipv4-cidr"; text: string; maskLength: number; span: Span }
  | { kind: "ipv4-mask"; text: string; mask: string; span: Span }
  | { kind: "ipv6"; text: string; maskLength: number; explicitMask: boolean; span: Span }
  | { kind: "mac"; text: string; span: Span }
  | { kind: "arcnet"; text: string; span: Span };

export type RelOp = ">" | ">=" | "=" | "<=" | "<" | "!=";
export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>";

export type Arith =
  | { type: "num"; value: number; span: Span }
  | { type: "len"; span: Span }
  | { type: "load"; proto: ProtoQual; index: Arith; size: number; span: Span; sizeSpan?: Span }
  | { type: "binary"; op: ArithOp; left: Arith; right: Arith; span: Span }
  | { type: "neg"; operand: Arith; span: Span };

export type Expr =
  | { type: "and" | "or"; left: Expr; right: Expr; span: Span }
  | { type: "not"; operand: Expr; span: Span }
  /** Qualifiers and an id (`tcp dst port 80`), or a bare id that inherits the qualifiers before it. */
  | { type: "primitive"; q: Qualifiers; id: IdValue; span: Span; inherited: boolean }
  /** A protocol keyword alone (`ip`, `tcp`, `ether`). */
  | { type: "protocol"; proto: ProtoQual; span: Span }
  | { type: "relation"; op: RelOp; left: Arith; right: Arith; span: Span }
  | { type: "broadcast" | "multicast"; proto: ProtoQual; span: Span }
  | { type: "less" | "greater"; value: number; span: Span }
  /** `byte N op V` (an old shorthand). */
  | { type: "byte"; index: number; op: "&" | "|" | "<" | ">" | "="; value: number; span: Span }
  | { type: "vlan" | "mpls" | "pppoes" | "geneve"; value?: number; span: Span }
  | { type: "pppoed" | "inbound" | "outbound"; span: Span }
  | { type: "ifindex"; value: number; span: Span }
  | { type: "llc"; subtype?: string; span: Span }
  /** Grammar that only makes sense on link types tsbpf does not compile for (pflog, 802.11, ATM, MTP). */
  | { type: "other"; what: string; keyword: string; span: Span };

/** A parsed expression; `expr` is null for the empty expression (which matches every packet). */
export interface FilterAst {
  source: string;
  expr: Expr | null;
}
