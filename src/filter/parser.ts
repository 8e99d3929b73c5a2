// The parser of pcap-filter(7) expressions: a recursive-descent parser that accepts what libpcap's
// LALR grammar accepts and builds a syntax tree with source spans.
//
// Two features of the language shape it:
// - Qualifier inheritance. After `and`/`or`, a bare id (a name, number or address) takes the
//   qualifiers of the term before it: `tcp port 80 or 443` is `tcp port 80 or tcp port 443`, and
//   `host a and not b` is `host a and not host b`. Parenthesized lists of ids inherit too.
// - Arithmetic precedence as yacc resolves it: `|` < `&` < shifts < `+ -` < `* /` < unary minus,
//   all left-associative; `%` and `^` have no declared precedence, so they bind to everything on
//   their right (yacc shifts on such conflicts).
// Where the grammar is ambiguous at one token (an id or a term? a parenthesized expression or
// arithmetic?), the parser tries one reading and falls back to the other; a syntax error is reported
// at the furthest token any reading reached, which is where yacc would have stopped.
import {
  type Arith,
  type ArithOp,
  type DirQual,
  type Expr,
  type FilterAst,
  type IdValue,
  NO_QUALIFIERS,
  type ProtoQual,
  type Qualifiers,
  type RelOp,
  type Span,
} from "./ast.js";
import { FilterError } from "./errors.js";
import { tokenize, type Token } from "./lexer.js";

const PROTO_TOKENS: Record<string, ProtoQual> = {
  LINK: "link",
  IP: "ip",
  ARP: "arp",
  RARP: "rarp",
  SCTP: "sctp",
  TCP: "tcp",
  UDP: "udp",
  ICMP: "icmp",
  IGMP: "igmp",
  IGRP: "igrp",
  PIM: "pim",
  VRRP: "vrrp",
  CARP: "carp",
  ATALK: "atalk",
  AARP: "aarp",
  DECNET: "decnet",
  LAT: "lat",
  SCA: "sca",
  MOPDL: "mopdl",
  MOPRC: "moprc",
  IPV6: "ip6",
  ICMPV6: "icmp6",
  AH: "ah",
  ESP: "esp",
  ISO: "iso",
  ESIS: "esis",
  ISIS: "isis",
  L1: "l1",
  L2: "l2",
  IIH: "iih",
  LSP: "lsp",
  SNP: "snp",
  PSNP: "psnp",
  CSNP: "csnp",
  CLNP: "clnp",
  STP: "stp",
  IPX: "ipx",
  NETBEUI: "netbeui",
  RADIO: "radio",
};
const DIR_TOKENS = new Set(["SRC", "DST", "ADDR1", "ADDR2", "ADDR3", "ADDR4", "RA", "TA"]);
const ADDR_TOKENS: Record<string, "host" | "net" | "port" | "portrange"> = {
  HOST: "host",
  NET: "net",
  PORT: "port",
  PORTRANGE: "portrange",
};
const ID_START = new Set(["ID", "HID", "HID6", "EID", "AID"]);
const RELOPS: Record<string, RelOp> = { ">": ">", ">=": ">=", "=": "=", "<=": "<=", "<": "<", "!=": "!=" };
const ARITH_OPS = new Set(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]);
/** yacc precedence levels of the arithmetic operators; "%" and "^" have none. */
const PREC: Record<string, number | undefined> = {
  "|": 3,
  "&": 4,
  "<<": 5,
  ">>": 5,
  "+": 6,
  "-": 6,
  "*": 7,
  "/": 7,
  "%": undefined,
  "^": undefined,
};
const UMINUS = 8;
const ATM_TYPES = new Set(["LANE", "METAC", "BCC", "OAMF4EC", "OAMF4SC", "SC", "ILMIC"]);
const ATM_MULTI = new Set(["OAM", "OAMF4", "CONNECTMSG", "METACONNECT"]);
const MTP2_TYPES = new Set(["FISU", "LSSU", "MSU", "HFISU", "HLSSU", "HMSU"]);
const MTP3_FIELDS = new Set(["SIO", "OPC", "DPC", "SLS", "HSIO", "HOPC", "HDPC", "HSLS"]);
const FOLLOW_ID = new Set(["AND", "OR", ")", "EOF"]);

/** Internal: a reading of the input failed at token index `at`. */
class ParseFail {
  constructor(
    readonly at: number,
    readonly expected: string,
    readonly message?: string,
  ) {}
}

interface Result {
  node: Expr;
  q: Qualifiers;
}

class Parser {
  private pos = 0;
  private furthest: ParseFail | undefined;
  /** Tokens [noRelationFrom, noRelationBefore) are known not to start a relation (see relationAt). */
  private noRelationFrom = 0;
  private noRelationBefore = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterAst {
    try {
      if (this.peek().type === "EOF") return { source: this.source, expr: null };
      const { node } = this.expr(NO_QUALIFIERS);
      if (this.peek().type !== "EOF") this.fail("end of expression");
      return { source: this.source, expr: node };
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      const f = this.furthest ?? e;
      const tok = this.tokens[Math.min(f.at, this.tokens.length - 1)]!;
      if (f.message)
        throw new FilterError("syntax", f.message, this.source, tok.start, Math.max(1, tok.end - tok.start));
      const found = tok.type === "EOF" ? "end of expression" : `"${tok.text}"`;
      throw new FilterError(
        "syntax",
        `syntax error: unexpected ${found}, expected ${f.expected}`,
        this.source,
        tok.start,
        Math.max(1, tok.end - tok.start),
      );
    }
  }

  // ------------------------------------------------------------------ token helpers

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.error) this.fail("", t.error); // a malformed number or address stops the parse with its own message
    if (t.type === "LEX_ERROR") this.fail("a token");
    this.pos = Math.min(this.pos + 1, this.tokens.length - 1);
    return t;
  }

  private accept(type: string): Token | undefined {
    return this.peek().type === type ? this.next() : undefined;
  }

  private expect(type: string, what = `"${type}"`): Token {
    if (this.peek().type !== type) this.fail(what);
    return this.next();
  }

  private fail(expected: string, message?: string): never {
    // a malformed number or address is reported as such wherever the parse stops on it
    const f = new ParseFail(this.pos, expected, message ?? this.peek().error);
    if (!this.furthest || f.at > this.furthest.at || (f.at === this.furthest.at && message && !this.furthest.message))
      this.furthest = f;
    throw f;
  }

  /** Tries a reading; on failure restores the position and returns undefined. */
  private attempt<T>(reading: () => T, failed?: (f: ParseFail) => void): T | undefined {
    const saved = this.pos;
    try {
      return reading();
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      this.pos = saved;
      failed?.(e);
      return undefined;
    }
  }

  private span(start: Token, end?: Token): Span {
    const last = end ?? this.tokens[Math.max(0, this.pos - 1)]!;
    return { start: start.start, end: last.end };
  }

  // ------------------------------------------------------------------ boolean structure

  /**
   * expr: term | expr and (term | id) | expr or (term | id), where term: not term | rterm and rterm
   * may be ( expr ). `inh` is the value before the expr. Nesting (parentheses, `not`) goes on an
   * explicit stack rather than the call stack, so no depth of the input exhausts it.
   */
  private expr(inh: Qualifiers): Result {
    type Frame =
      | { kind: "expr"; node?: Expr; q?: Qualifiers; op?: "and" | "or" }
      | { kind: "not"; tok: Token }
      | { kind: "paren"; tok: Token; inh: Qualifiers };
    const stack: Frame[] = [{ kind: "expr" }];
    // the qualifiers the next term inherits; undefined once a result is in hand
    let want: Qualifiers | undefined = inh;
    let result: Result | undefined;
    for (;;) {
      if (want) {
        const q: Qualifiers = want;
        want = undefined;
        // term: any number of `not`, then a parenthesized expression or an rterm
        while (this.peek().type === "!") stack.push({ kind: "not", tok: this.next() });
        const t = this.peek();
        if (t.type === "(" && !this.relationAt(this.pos)) {
          this.next();
          stack.push({ kind: "paren", tok: t, inh: q }, { kind: "expr" });
          want = q;
          continue;
        }
        result = this.rterm(q);
      }
      const frame = stack[stack.length - 1]!;
      const r = result!;
      if (frame.kind === "not") {
        stack.pop();
        result = { node: { type: "not", operand: r.node, span: this.span(frame.tok) }, q: r.q };
        continue;
      }
      if (frame.kind === "paren") {
        stack.pop();
        this.expect(")", `")"`);
        result = { node: { ...r.node, span: this.span(frame.tok) }, q: frame.inh };
        continue;
      }
      // an expr frame: r is its first term or the right operand of its pending and/or
      if (frame.op) {
        const left = frame.node!;
        frame.node = { type: frame.op, left, right: r.node, span: { start: left.span.start, end: r.node.span.end } };
      } else frame.node = r.node;
      frame.q = r.q;
      const op = this.peek().type;
      if (op !== "AND" && op !== "OR") {
        stack.pop();
        result = { node: frame.node, q: frame.q };
        if (stack.length === 0) return result;
        continue;
      }
      this.next();
      frame.op = op === "AND" ? "and" : "or";
      // after and/or: a term, or an id that inherits the qualifiers
      const asId = this.idAfterConjunction(frame.q);
      if (asId) result = { node: asId, q: frame.q };
      else want = frame.q;
    }
  }

  /** After and/or: an id that inherits `q`, if the input reads as one there. */
  private idAfterConjunction(q: Qualifiers): Expr | undefined {
    const t = this.peek().type;
    if (ID_START.has(t)) return this.id(q);
    if (t === "!" || t === "NUM" || t === "(") {
      return this.attempt(() => {
        const node = this.id(q);
        if (!FOLLOW_ID.has(this.peek().type)) this.fail("and, or, ) or end of expression");
        return node;
      });
    }
    return undefined;
  }

  /**
   * Whether a relation (arithmetic) starts at token `at`, tried as yacc would. A run of "(" that
   * failed as arithmetic at the first token after it fails from every "(" inside it as well, so
   * that is remembered: deep parentheses are tried once, not once per level.
   */
  private relationAt(at: number): boolean {
    if (at < this.noRelationBefore && at >= this.noRelationFrom) return false;
    let failedAt = -1;
    const rel = this.attempt(
      () => this.relation(),
      (f) => (failedAt = f.at),
    );
    if (rel) {
      this.pos = at; // the caller consumes it through rterm
      return true;
    }
    let k = at;
    while (k < failedAt && this.tokens[k]!.type === "(") k++;
    if (k === failedAt) {
      this.noRelationFrom = at;
      this.noRelationBefore = failedAt;
    }
    return false;
  }

  private rterm(inh: Qualifiers): Result {
    const t = this.peek();
    const proto = PROTO_TOKENS[t.type];
    if (proto) {
      const after = this.peek(1).type;
      if (after === "[") return { node: this.relation(), q: NO_QUALIFIERS };
      if (
        DIR_TOKENS.has(after) ||
        ADDR_TOKENS[after] ||
        after === "PROTO" ||
        after === "PROTOCHAIN" ||
        after === "GATEWAY"
      )
        return this.headId();
      if (after === "TK_BROADCAST" || after === "TK_MULTICAST") {
        this.next();
        const k = this.next();
        return {
          node: { type: k.type === "TK_BROADCAST" ? "broadcast" : "multicast", proto, span: this.span(t) },
          q: NO_QUALIFIERS,
        };
      }
      if (after === "TYPE" || after === "SUBTYPE" || after === "DIR") {
        this.next();
        return { node: this.p80211(t), q: NO_QUALIFIERS };
      }
      this.next();
      return { node: { type: "protocol", proto, span: this.span(t) }, q: NO_QUALIFIERS };
    }
    if (
      DIR_TOKENS.has(t.type) ||
      ADDR_TOKENS[t.type] ||
      t.type === "PROTO" ||
      t.type === "PROTOCHAIN" ||
      t.type === "GATEWAY"
    )
      return this.headId();
    switch (t.type) {
      case "(":
        // a parenthesized expression is opened by expr(); here it can only be arithmetic
        return { node: this.relation(), q: NO_QUALIFIERS };
      case "NUM":
      case "LEN":
      case "-":
        return { node: this.relation(), q: NO_QUALIFIERS };
      case "TK_BROADCAST":
      case "TK_MULTICAST":
        this.next();
        return {
          node: { type: t.type === "TK_BROADCAST" ? "broadcast" : "multicast", proto: "default", span: this.span(t) },
          q: NO_QUALIFIERS,
        };
      case "LESS":
      case "GREATER": {
        this.next();
        const n = this.expect("NUM", "a number");
        return {
          node: { type: t.type === "LESS" ? "less" : "greater", value: n.num!, span: this.span(t) },
          q: NO_QUALIFIERS,
        };
      }
      case "CBYTE": {
        this.next();
        const idx = this.expect("NUM", "a byte offset");
        const op = this.peek().type;
        if (op !== "&" && op !== "|" && op !== "<" && op !== ">" && op !== "=") this.fail(`one of & | < > =`);
        this.next();
        const v = this.expect("NUM", "a number");
        return { node: { type: "byte", index: idx.num!, op, value: v.num!, span: this.span(t) }, q: NO_QUALIFIERS };
      }
      case "INBOUND":
      case "OUTBOUND":
      case "PPPOED":
        this.next();
        return {
          node: {
            type: t.type === "INBOUND" ? "inbound" : t.type === "OUTBOUND" ? "outbound" : "pppoed",
            span: this.span(t),
          },
          q: NO_QUALIFIERS,
        };
      case "IFINDEX": {
        this.next();
        const n = this.expect("NUM", "an interface index");
        return { node: { type: "ifindex", value: n.num!, span: this.span(t) }, q: NO_QUALIFIERS };
      }
      case "VLAN":
      case "MPLS":
      case "PPPOES":
      case "GENEVE": {
        this.next();
        const type = t.type.toLowerCase() as "vlan" | "mpls" | "pppoes" | "geneve";
        const after = this.peek().type;
        const value = after === "NUM" || after === "(" ? this.pnum() : undefined;
        return {
          node: value === undefined ? { type, span: this.span(t) } : { type, value, span: this.span(t) },
          q: NO_QUALIFIERS,
        };
      }
      case "LLC": {
        this.next();
        const sub = this.peek();
        if (sub.type === "ID" || sub.type === "PF_RNR") {
          this.next();
          return {
            node: { type: "llc", subtype: sub.type === "PF_RNR" ? "rnr" : sub.value!, span: this.span(t) },
            q: NO_QUALIFIERS,
          };
        }
        return { node: { type: "llc", span: this.span(t) }, q: NO_QUALIFIERS };
      }
      case "PF_IFNAME":
      case "PF_RSET":
      case "PF_RNR":
      case "PF_SRNR":
      case "PF_REASON":
      case "PF_ACTION": {
        this.next();
        const arg =
          t.type === "PF_IFNAME" || t.type === "PF_RSET" || t.type === "PF_ACTION"
            ? ["ID"]
            : t.type === "PF_REASON"
              ? ["NUM", "ID"]
              : ["NUM"];
        if (!arg.includes(this.peek().type)) this.fail(arg.includes("ID") ? "a name" : "a number");
        this.next();
        return { node: { type: "other", what: "pf", keyword: t.text, span: this.span(t) }, q: NO_QUALIFIERS };
      }
      case "TYPE":
      case "SUBTYPE":
      case "DIR":
        return { node: this.p80211(t), q: NO_QUALIFIERS };
      default:
        break;
    }
    if (ATM_TYPES.has(t.type) || ATM_MULTI.has(t.type) || MTP2_TYPES.has(t.type)) {
      this.next();
      return {
        node: { type: "other", what: MTP2_TYPES.has(t.type) ? "mtp2" : "atm", keyword: t.text, span: this.span(t) },
        q: NO_QUALIFIERS,
      };
    }
    if (t.type === "VPI" || t.type === "VCI" || MTP3_FIELDS.has(t.type)) {
      this.next();
      this.fieldValue();
      return {
        node: { type: "other", what: MTP3_FIELDS.has(t.type) ? "mtp3" : "atm", keyword: t.text, span: this.span(t) },
        q: NO_QUALIFIERS,
      };
    }
    this.fail("a primitive");
  }

  /** atmvalue / mtp3value: NUM | relop NUM | irelop NUM | ( NUM or NUM … ) */
  private fieldValue(): void {
    const t = this.peek().type;
    if (t === "NUM") {
      this.next();
      return;
    }
    if (RELOPS[t]) {
      this.next();
      this.expect("NUM", "a number");
      return;
    }
    if (t === "(") {
      this.next();
      this.expect("NUM", "a number");
      while (this.accept("OR")) this.expect("NUM", "a number");
      this.expect(")", `")"`);
      return;
    }
    this.fail("a number or a comparison");
  }

  /** pqual p80211: type T [subtype S] | subtype S | dir D (the pqual, if any, was consumed). */
  private p80211(start: Token): Expr {
    const k = this.next();
    if (k.type === "TYPE") {
      if (this.peek().type !== "NUM" && this.peek().type !== "ID") this.fail("an 802.11 type");
      this.next();
      if (this.accept("SUBTYPE")) {
        if (this.peek().type !== "NUM" && this.peek().type !== "ID") this.fail("an 802.11 subtype");
        this.next();
      }
    } else if (k.type === "SUBTYPE") {
      this.expect("ID", "an 802.11 subtype name");
    } else {
      if (this.peek().type !== "NUM" && this.peek().type !== "ID") this.fail("an 802.11 direction");
      this.next();
    }
    return { type: "other", what: "802.11", keyword: k.text, span: this.span(start) };
  }

  /** head id, where head is [proto] [dir] [addr] | [proto] proto | [proto] protochain | [proto] gateway. */
  private headId(): Result {
    const start = this.peek();
    let proto: ProtoQual = "default";
    let dir: DirQual = "default";
    let addr: Qualifiers["addr"] = "default";
    const p = PROTO_TOKENS[start.type];
    if (p) {
      proto = p;
      this.next();
    }
    const t = this.peek().type;
    if (t === "PROTO" || t === "PROTOCHAIN" || t === "GATEWAY") {
      this.next();
      addr = t === "PROTO" ? "proto" : t === "PROTOCHAIN" ? "protochain" : "gateway";
    } else {
      if (DIR_TOKENS.has(t)) dir = this.dqual();
      const a = ADDR_TOKENS[this.peek().type];
      if (a) {
        this.next();
        addr = a;
      } else if (dir === "default") this.fail("a qualifier");
    }
    const q: Qualifiers = { proto, dir, addr };
    const node = this.id(q, false);
    return { node: retag(node, start), q };
  }

  private dqual(): DirQual {
    const t = this.next();
    if (t.type === "SRC" || t.type === "DST") {
      const other = t.type === "SRC" ? "DST" : "SRC";
      const conj = this.peek().type;
      if (conj === "OR" || conj === "AND") {
        // yacc shifts here: "src or" must continue with "dst" (and "dst or" with "src").
        this.next();
        this.expect(other, `"${other.toLowerCase()}"`);
        return conj === "OR" ? "or" : "and";
      }
      return t.type === "SRC" ? "src" : "dst";
    }
    return t.type.toLowerCase() as DirQual;
  }

  /**
   * id: nid | pnum | ( pid ) — with qualifiers `q`, where pid: nid | qid and id | qid or id (qid:
   * pnum | nid) and nid may be `not id`. Nesting goes on an explicit stack, not the call stack.
   */
  private id(q: Qualifiers, inherited = true): Expr {
    type Frame =
      | { kind: "paren"; tok: Token }
      | { kind: "pid"; node?: Expr; op?: "and" | "or" }
      | { kind: "not"; toks: Token[] };
    const stack: Frame[] = [];
    const number = (value: number, from: Token): Expr =>
      prim(q, { kind: "number", value, span: this.span(from) }, this.span(from), inherited);
    // what is wanted next: an id, the first element of a pid, or nothing (a result is in hand)
    let want: "id" | "pid" | undefined = "id";
    let result: Expr | undefined;
    for (;;) {
      if (want) {
        const t = this.peek();
        if (want === "id" && t.type === "NUM") {
          this.next();
          result = number(t.num!, t);
        } else if (want === "id" && t.type === "(") {
          // ( pnum ) is a number; otherwise ( pid ): ids joined by and/or, all with the same qualifiers.
          result = this.attempt(() => number(this.pnum(), t));
          if (!result) {
            this.next();
            stack.push({ kind: "paren", tok: t }, { kind: "pid" });
            want = "pid";
            continue;
          }
        } else if (want === "pid" && (t.type === "NUM" || t.type === "(")) {
          // qid: a number (or parenthesized number) must be followed by and/or
          result = this.attempt(() => number(this.pnum(), t));
          if (result && this.peek().type !== "AND" && this.peek().type !== "OR") this.fail(`"and" or "or"`);
        }
        if (!result) {
          if (t.type === "!") {
            // nid: not id (any number of them)
            const toks: Token[] = [];
            while (this.peek().type === "!") toks.push(this.next());
            stack.push({ kind: "not", toks });
            want = "id";
            continue;
          }
          result = this.nid(q, inherited);
        }
        want = undefined;
      }
      const r = result!;
      result = undefined;
      const frame = stack.pop();
      if (!frame) return r;
      if (frame.kind === "not") {
        let node = r;
        for (let i = frame.toks.length - 1; i >= 0; i--)
          node = { type: "not", operand: node, span: this.span(frame.toks[i]!) };
        result = node;
      } else if (frame.kind === "paren") {
        this.expect(")", `")"`);
        result = { ...r, span: this.span(frame.tok) };
      } else {
        const left = frame.node;
        frame.node = left ? { type: frame.op!, left, right: r, span: { start: left.span.start, end: r.span.end } } : r;
        const op = this.peek().type;
        if (op === "AND" || op === "OR") {
          this.next();
          frame.op = op === "AND" ? "and" : "or";
          stack.push(frame);
          want = "id";
        } else result = frame.node;
      }
    }
  }

  /** nid: ID | HID / NUM | HID mask HID | HID | HID6 / NUM | HID6 | EID | AID (`not id` is handled by id) */
  private nid(q: Qualifiers, inherited: boolean): Expr {
    const t = this.peek();
    switch (t.type) {
      case "ID":
        this.next();
        return prim(q, { kind: "name", text: t.value!, span: this.span(t) }, this.span(t), inherited);
      case "HID": {
        this.next();
        if (this.peek().type === "/") {
          this.next();
          const n = this.expect("NUM", "a prefix length");
          return prim(
            q,
            { kind: "ipv4-cidr", text: t.value!, maskLength: n.num!, span: this.span(t) },
            this.span(t),
            inherited,
          );
        }
        if (this.peek().type === "NETMASK") {
          this.next();
          const m = this.expect("HID", "a netmask");
          return prim(
            q,
            { kind: "ipv4-mask", text: t.value!, mask: m.value!, span: this.span(t) },
            this.span(t),
            inherited,
          );
        }
        return prim(q, { kind: "ipv4", text: t.value!, span: this.span(t) }, this.span(t), inherited);
      }
      case "HID6": {
        this.next();
        if (this.peek().type === "/") {
          this.next();
          const n = this.expect("NUM", "a prefix length");
          return prim(
            q,
            { kind: "ipv6", text: t.value!, maskLength: n.num!, explicitMask: true, span: this.span(t) },
            this.span(t),
            inherited,
          );
        }
        return prim(
          q,
          { kind: "ipv6", text: t.value!, maskLength: 128, explicitMask: false, span: this.span(t) },
          this.span(t),
          inherited,
        );
      }
      case "EID":
        this.next();
        return prim(q, { kind: "mac", text: t.value!, span: this.span(t) }, this.span(t), inherited);
      case "AID":
        this.next();
        return prim(q, { kind: "arcnet", text: t.value!, span: this.span(t) }, this.span(t), inherited);
      default:
        this.fail("a host, network, port or protocol");
    }
  }

  /** pnum: NUM | ( pnum ) */
  private pnum(): number {
    let depth = 0;
    while (this.accept("(")) depth++;
    const v = this.expect("NUM", "a number").num!;
    for (; depth > 0; depth--) this.expect(")", `")"`);
    return v;
  }

  // ------------------------------------------------------------------ arithmetic

  /** arth relop arth */
  private relation(): Expr {
    const start = this.peek();
    const left = this.arith();
    const r = this.peek();
    const op = RELOPS[r.type];
    if (!op) this.fail("a comparison (>, >=, =, <=, <, !=)");
    this.next();
    const right = this.arith();
    return { type: "relation", op, left, right, span: this.span(start) };
  }

  /**
   * Operator-precedence parse of an arithmetic expression with yacc's conflict rules. Parentheses
   * and the index of a protocol[offset] load open a level on an explicit stack (no recursion).
   */
  private arith(): Arith {
    interface Level {
      operands: Arith[];
      operators: { op: string; tok: Token }[];
      /** What opened the level: the whole expression, "(", or a load `proto[`. */
      open?: { tok: Token; proto?: ProtoQual };
    }
    const reduce = (l: Level): void => {
      const { op, tok } = l.operators.pop()!;
      if (op === "neg") {
        const operand = l.operands.pop()!;
        l.operands.push({ type: "neg", operand, span: { start: tok.start, end: operand.span.end } });
        return;
      }
      const right = l.operands.pop()!,
        left = l.operands.pop()!;
      l.operands.push({
        type: "binary",
        op: op as ArithOp,
        left,
        right,
        span: { start: left.span.start, end: right.span.end },
      });
    };
    const precOf = (op: string): number | undefined => (op === "neg" ? UMINUS : PREC[op]);
    const levels: Level[] = [{ operands: [], operators: [] }];
    for (;;) {
      // operand position: unary minus, then a primary (or the opening of a level)
      const level = levels[levels.length - 1]!;
      while (this.peek().type === "-") {
        const tok = this.next();
        level.operators.push({ op: "neg", tok });
      }
      const t = this.peek();
      if (t.type === "NUM") {
        this.next();
        level.operands.push({ type: "num", value: t.num!, span: this.span(t) });
      } else if (t.type === "LEN") {
        this.next();
        level.operands.push({ type: "len", span: this.span(t) });
      } else if (t.type === "(") {
        this.next();
        levels.push({ operands: [], operators: [], open: { tok: t } });
        continue;
      } else if (PROTO_TOKENS[t.type] && this.peek(1).type === "[") {
        this.next();
        this.next();
        levels.push({ operands: [], operators: [], open: { tok: t, proto: PROTO_TOKENS[t.type]! } });
        continue;
      } else this.fail("a number, len, or a protocol[offset] load");
      // after an operand: an operator continues this level; anything else closes it
      for (;;) {
        const l = levels[levels.length - 1]!;
        const op = this.peek().type;
        if (ARITH_OPS.has(op)) {
          // reduce while the operator on the stack binds at least as tightly (both must have a precedence)
          const p2 = PREC[op];
          while (l.operators.length) {
            const p1 = precOf(l.operators[l.operators.length - 1]!.op);
            if (p1 === undefined || p2 === undefined || p1 < p2) break;
            reduce(l);
          }
          l.operators.push({ op, tok: this.next() });
          break;
        }
        while (l.operators.length) reduce(l);
        const inner = l.operands[0]!;
        if (!l.open) return inner;
        levels.pop();
        const outer = levels[levels.length - 1]!;
        const { tok, proto } = l.open;
        if (proto === undefined) {
          this.expect(")", `")"`);
          outer.operands.push({ ...inner, span: this.span(tok) });
          continue;
        }
        let size = 1;
        let sizeSpan: Span | undefined;
        if (this.accept(":")) {
          const n = this.expect("NUM", "a size (1, 2 or 4)");
          size = n.num!;
          sizeSpan = this.span(n);
        }
        this.expect("]", `"]"`);
        const node: Arith = { type: "load", proto, index: inner, size, span: this.span(tok) };
        if (sizeSpan) node.sizeSpan = sizeSpan;
        outer.operands.push(node);
      }
    }
  }
}

function prim(q: Qualifiers, id: IdValue, span: Span, inherited: boolean): Expr {
  return { type: "primitive", q, id, span, inherited };
}

/** Widens a primitive's span to include its qualifiers. */
function retag(node: Expr, start: Token): Expr {
  return { ...node, span: { start: start.start, end: node.span.end } };
}

/** Parses an expression into a syntax tree. Throws FilterError (kind "syntax") with the position. */
export function parseFilter(expression: string): FilterAst {
  return new Parser(expression, tokenize(expression)).parse();
}
