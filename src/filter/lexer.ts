// The tokenizer of pcap-filter(7) expressions. It follows the rules of libpcap's scanner: at each
// position the longest match wins, and of equally long matches the rule listed first (keywords
// before names, numbers and addresses before plain identifiers). So "ip6" is a keyword, "ipx1" is a
// name, "len-1" is one name (not len minus 1) and "tcp-syn" is the number 2, as in tcpdump.

export interface Token {
  /** Grammar terminal: a keyword's class ("TCP", "LINK", "AND", …), "NUM", "ID", "HID", "HID6",
   *  "EID", "AID", a punctuation string ("(", "[", ">=", …), "LEX_ERROR" or "EOF". */
  type: string;
  /** The text as written. */
  text: string;
  start: number;
  end: number;
  /** NUM: the value (unsigned 32-bit). */
  num?: number;
  /** ID/HID/…: the name (a leading backslash removed). */
  value?: string;
  /** LEX_ERROR / bad addresses: why (libpcap's wording). */
  error?: string;
}

const KEYWORDS: Record<string, string> = {};
function kw(type: string, ...words: string[]): void {
  for (const w of words) KEYWORDS[w] = type;
}
kw("DST", "dst");
kw("SRC", "src");
kw("LINK", "link", "ether", "ppp", "slip", "fddi", "tr", "wlan");
kw("ARP", "arp");
kw("RARP", "rarp");
kw("IP", "ip");
kw("SCTP", "sctp");
kw("TCP", "tcp");
kw("UDP", "udp");
kw("ICMP", "icmp");
kw("IGMP", "igmp");
kw("IGRP", "igrp");
kw("PIM", "pim");
kw("VRRP", "vrrp");
kw("CARP", "carp");
kw("RADIO", "radio");
kw("IPV6", "ip6");
kw("ICMPV6", "icmp6");
kw("AH", "ah");
kw("ESP", "esp");
kw("ATALK", "atalk");
kw("AARP", "aarp");
kw("DECNET", "decnet");
kw("LAT", "lat");
kw("SCA", "sca");
kw("MOPRC", "moprc");
kw("MOPDL", "mopdl");
kw("ISO", "iso");
kw("ESIS", "esis", "es-is");
kw("ISIS", "isis", "is-is");
kw("L1", "l1");
kw("L2", "l2");
kw("IIH", "iih");
kw("LSP", "lsp");
kw("SNP", "snp");
kw("CSNP", "csnp");
kw("PSNP", "psnp");
kw("CLNP", "clnp");
kw("STP", "stp");
kw("IPX", "ipx");
kw("NETBEUI", "netbeui");
kw("HOST", "host");
kw("NET", "net");
kw("NETMASK", "mask");
kw("PORT", "port");
kw("PORTRANGE", "portrange");
kw("PROTO", "proto");
kw("PROTOCHAIN", "protochain");
kw("GATEWAY", "gateway");
kw("TYPE", "type");
kw("SUBTYPE", "subtype");
kw("DIR", "direction", "dir");
kw("ADDR1", "address1", "addr1");
kw("ADDR2", "address2", "addr2");
kw("ADDR3", "address3", "addr3");
kw("ADDR4", "address4", "addr4");
kw("RA", "ra");
kw("TA", "ta");
kw("LESS", "less");
kw("GREATER", "greater");
kw("CBYTE", "byte");
kw("TK_BROADCAST", "broadcast");
kw("TK_MULTICAST", "multicast");
kw("AND", "and", "&&");
kw("OR", "or", "||");
kw("!", "not");
kw("LEN", "len", "length");
kw("INBOUND", "inbound");
kw("OUTBOUND", "outbound");
kw("IFINDEX", "ifindex");
kw("VLAN", "vlan");
kw("MPLS", "mpls");
kw("PPPOED", "pppoed");
kw("PPPOES", "pppoes");
kw("GENEVE", "geneve");
kw("LANE", "lane");
kw("LLC", "llc");
kw("METAC", "metac");
kw("BCC", "bcc");
kw("OAM", "oam");
kw("OAMF4", "oamf4");
kw("OAMF4EC", "oamf4ec");
kw("OAMF4SC", "oamf4sc");
kw("SC", "sc");
kw("ILMIC", "ilmic");
kw("VPI", "vpi");
kw("VCI", "vci");
kw("CONNECTMSG", "connectmsg");
kw("METACONNECT", "metaconnect");
kw("PF_IFNAME", "on", "ifname");
kw("PF_RSET", "rset", "ruleset");
kw("PF_RNR", "rnr", "rulenum");
kw("PF_SRNR", "srnr", "subrulenum");
kw("PF_REASON", "reason");
kw("PF_ACTION", "action");
kw("FISU", "fisu");
kw("LSSU", "lssu", "lsu");
kw("MSU", "msu");
kw("HFISU", "hfisu");
kw("HLSSU", "hlssu");
kw("HMSU", "hmsu");
kw("SIO", "sio");
kw("OPC", "opc");
kw("DPC", "dpc");
kw("SLS", "sls");
kw("HSIO", "hsio");
kw("HOPC", "hopc");
kw("HDPC", "hdpc");
kw("HSLS", "hsls");

/** Names that stand for numbers (ICMP types, TCP flag bits, header offsets). */
export const NUMBER_NAMES: Readonly<Record<string, number>> = {
  icmptype: 0,
  icmpcode: 1,
  "icmp-echoreply": 0,
  "icmp-unreach": 3,
  "icmp-sourcequench": 4,
  "icmp-redirect": 5,
  "icmp-echo": 8,
  "icmp-routeradvert": 9,
  "icmp-routersolicit": 10,
  "icmp-timxceed": 11,
  "icmp-paramprob": 12,
  "icmp-tstamp": 13,
  "icmp-tstampreply": 14,
  "icmp-ireq": 15,
  "icmp-ireqreply": 16,
  "icmp-maskreq": 17,
  "icmp-maskreply": 18,
  icmp6type: 0,
  icmp6code: 1,
  "icmp6-destinationunreach": 1,
  "icmp6-packettoobig": 2,
  "icmp6-timeexceeded": 3,
  "icmp6-parameterproblem": 4,
  "icmp6-echo": 128,
  "icmp6-echoreply": 129,
  "icmp6-multicastlistenerquery": 130,
  "icmp6-multicastlistenerreportv1": 131,
  "icmp6-multicastlistenerdone": 132,
  "icmp6-routersolicit": 133,
  "icmp6-routeradvert": 134,
  "icmp6-neighborsolicit": 135,
  "icmp6-neighboradvert": 136,
  "icmp6-redirect": 137,
  "icmp6-routerrenum": 138,
  "icmp6-nodeinformationquery": 139,
  "icmp6-nodeinformationresponse": 140,
  "icmp6-ineighbordiscoverysolicit": 141,
  "icmp6-ineighbordiscoveryadvert": 142,
  "icmp6-multicastlistenerreportv2": 143,
  "icmp6-homeagentdiscoveryrequest": 144,
  "icmp6-homeagentdiscoveryreply": 145,
  "icmp6-mobileprefixsolicit": 146,
  "icmp6-mobileprefixadvert": 147,
  "icmp6-certpathsolicit": 148,
  "icmp6-certpathadvert": 149,
  "icmp6-multicastrouteradvert": 151,
  "icmp6-multicastroutersolicit": 152,
  "icmp6-multicastrouterterm": 153,
  tcpflags: 13,
  "tcp-fin": 0x01,
  "tcp-syn": 0x02,
  "tcp-rst": 0x04,
  "tcp-push": 0x08,
  "tcp-ack": 0x10,
  "tcp-urg": 0x20,
  "tcp-ece": 0x40,
  "tcp-cwr": 0x80,
};

const SINGLE = new Set("+-*/%:[]!<>()&|^=");
const DOUBLE: Record<string, string> = { ">=": ">=", "<=": "<=", "!=": "!=", "==": "=", "<<": "<<", ">>": ">>" };

// Patterns of the address-like tokens, as full-string regular expressions.
const B = "[0-9A-Fa-f][0-9A-Fa-f]?";
const B2 = "[0-9A-Fa-f]{4}";
const W = "[0-9A-Fa-f]{1,4}";
const N = "(?:0[Xx][0-9A-Fa-f]+|[0-9]+)";
const V4 = `${N}\\.${N}\\.${N}\\.${N}`;

function v6Alternatives(): string[] {
  const alts: string[] = [];
  const groups = (n: number): string[] => Array.from({ length: n }, () => W);
  alts.push(groups(8).join(":"));
  // k groups with "::" inserted at position x (7 down to 1 group, and "::" alone).
  for (let k = 7; k >= 0; k--) {
    for (let x = 0; x <= k; x++) {
      const g = groups(k);
      alts.push(`${g.slice(0, x).join(":")}::${g.slice(x).join(":")}`);
    }
  }
  // With an embedded IPv4 address: 6 groups and the address, or k ≤ 5 groups with "::".
  alts.push(`${groups(6).join(":")}:${V4}`);
  for (let k = 5; k >= 0; k--) {
    for (let x = 0; x <= k; x++) {
      const g = groups(k);
      const before = g.slice(0, x).join(":");
      const after = g.slice(x).join(":");
      alts.push(`${before}::${after}${after ? ":" : ""}${V4}`);
    }
  }
  return alts;
}

const FULL = (re: string): RegExp => new RegExp(`^(?:${re})$`);
const RE_AID = FULL(`\\$${B}`);
const RE_MAC = FULL(
  `${B}:${B}:${B}:${B}:${B}:${B}|${B}-${B}-${B}-${B}-${B}-${B}|${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}|${B2}\\.${B2}\\.${B2}|${B2}${B2}${B2}`,
);
const RE_N = FULL(N);
const RE_HID = FULL(`${N}\\.${N}|${N}\\.${N}\\.${N}|${N}\\.${N}\\.${N}\\.${N}`);
const RE_V6 = FULL(v6Alternatives().join("|"));
const RE_BOGUS_ETHER = FULL(`${B}:+(?:${B}:+)+`);
const RE_ID = FULL("[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?");
const WORD_CHAR = /[0-9A-Za-z.:\-_$]/;
const NUMBER_NAME_LIST = Object.entries(NUMBER_NAMES);

/** Length of the longest prefix of text[start, limit) that the full-string pattern matches. */
function longest(re: RegExp, text: string, start: number, limit: number): number {
  for (let end = limit; end > start; end--) if (re.test(text.slice(start, end))) return end - start;
  return 0;
}

/** libpcap's number conversion: decimal, 0x hex, 0 octal; errors on overflow and bad octal digits. */
export function parseNumber(text: string): { value: number } | { error: string } {
  let n = 0;
  if (text.startsWith("0x") || text.startsWith("0X")) {
    for (const ch of text.slice(2)) {
      if (n > 0xfffffff) return { error: `number ${text} overflows 32 bits` };
      n = n * 16 + parseInt(ch, 16);
    }
  } else if (text.startsWith("0")) {
    for (const ch of text.slice(1)) {
      if (ch < "0" || ch > "7") return { error: `number ${text} contains non-octal digit` };
      if (n > 0o3777777777) return { error: `number ${text} overflows 32 bits` };
      n = n * 8 + (ch.charCodeAt(0) - 48);
    }
  } else {
    for (const ch of text) {
      const d = ch.charCodeAt(0) - 48;
      if (n > 429496729 || (n === 429496729 && d > 5)) return { error: `number ${text} overflows 32 bits` };
      n = n * 10 + d;
    }
  }
  return { value: n >>> 0 };
}

/** Parses an IPv6 address as inet_pton does; undefined when invalid. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  let head = text,
    tail = "";
  const dbl = text.indexOf("::");
  if (dbl >= 0) {
    if (text.indexOf("::", dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const parseGroups = (s: string, allowV4: boolean): number[] | undefined => {
    if (s === "") return [];
    const parts = s.split(":");
    const words: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (allowV4 && i === parts.length - 1 && p.includes(".")) {
        const octets = p.split(".");
        if (octets.length !== 4) return undefined;
        const bytes: number[] = [];
        for (const o of octets) {
          if (!/^[0-9]{1,3}$/.test(o) || (o.length > 1 && o.startsWith("0")) || Number(o) > 255) return undefined;
          bytes.push(Number(o));
        }
        words.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
      words.push(parseInt(p, 16));
    }
    return words;
  };
  const h = parseGroups(head, dbl < 0);
  const t = parseGroups(tail, true);
  if (!h || !t) return undefined;
  if (dbl < 0) {
    if (h.length !== 8) return undefined;
  } else if (h.length + t.length > 7) return undefined;
  const words = dbl < 0 ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Splits an expression into tokens; the last token is EOF. Never throws: bad input becomes LEX_ERROR. */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = expression.length;
  while (i < n) {
    const ch = expression[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    tokens.push(nextToken(expression, i));
    i = tokens[tokens.length - 1]!.end;
  }
  tokens.push({ type: "EOF", text: "", start: n, end: n });
  return tokens;
}

function nextToken(s: string, i: number): Token {
  // Candidates: [length, rule order, builder]. The longest wins; ties go to the earlier rule.
  let best: { len: number; rule: number; make: (text: string) => Token } | undefined;
  const offer = (len: number, rule: number, make: (text: string) => Token): void => {
    if (len > 0 && (!best || len > best.len || (len === best.len && rule < best.rule))) best = { len, rule, make };
  };
  const tok =
    (type: string, extra: Partial<Token> = {}) =>
    (text: string): Token => ({ type, text, start: i, end: i + text.length, ...extra });

  // 1. keywords (the longest keyword that is a prefix here)
  let kwLen = 0,
    kwType = "";
  for (let len = 1; len <= 16 && i + len <= s.length; len++) {
    const t = KEYWORDS[s.slice(i, i + len)];
    if (t) {
      kwLen = len;
      kwType = t;
    }
  }
  offer(kwLen, 1, tok(kwType));
  // 2. single characters and 3. two-character operators
  if (SINGLE.has(s[i]!)) offer(1, 2, (text) => ({ type: text, text, start: i, end: i + 1 }));
  const two = DOUBLE[s.slice(i, i + 2)];
  if (two) offer(2, 3, (text) => ({ type: two, text, start: i, end: i + 2 }));

  // Address-like and name-like tokens use only these characters.
  let limit = i;
  while (limit < s.length && WORD_CHAR.test(s[limit]!)) limit++;
  if (limit > i) {
    offer(longest(RE_AID, s, i, limit), 4, (text) => ({
      type: "AID",
      text,
      start: i,
      end: i + text.length,
      value: text,
    }));
    offer(longest(RE_MAC, s, i, limit), 5, (text) => ({
      type: "EID",
      text,
      start: i,
      end: i + text.length,
      value: text,
    }));
    offer(longest(RE_N, s, i, limit), 6, (text) => {
      const r = parseNumber(text);
      return "error" in r
        ? { type: "LEX_ERROR", text, start: i, end: i + text.length, error: r.error }
        : { type: "NUM", text, start: i, end: i + text.length, num: r.value };
    });
    offer(longest(RE_HID, s, i, limit), 7, (text) => ({
      type: "HID",
      text,
      start: i,
      end: i + text.length,
      value: text,
    }));
    // (look for the colon within the word only: searching the rest of the input per token is quadratic)
    if (s.slice(i, limit).includes(":")) {
      offer(longest(RE_V6, s, i, limit), 8, (text) => {
        const t: Token = { type: "HID6", text, start: i, end: i + text.length, value: text };
        if (!parseIpv6(text)) t.error = `bogus IPv6 address ${text}`;
        return t;
      });
      offer(longest(RE_BOGUS_ETHER, s, i, limit), 9, (text) => ({
        type: "EID",
        text,
        start: i,
        end: i + text.length,
        value: text,
        error: `bogus ethernet address ${text}`,
      }));
    }
    // 10. names standing for numbers
    for (const [name, value] of NUMBER_NAME_LIST) {
      if (s.startsWith(name, i))
        offer(name.length, 10, (text) => ({ type: "NUM", text, start: i, end: i + text.length, num: value }));
    }
    offer(longest(RE_ID, s, i, limit), 11, (text) => ({
      type: "ID",
      text,
      start: i,
      end: i + text.length,
      value: text,
    }));
  }
  // 12. a backslash-escaped name: "\tcp" is the name "tcp", not the keyword
  if (s[i] === "\\") {
    let end = i + 1;
    while (end < s.length && !" !()\n\t".includes(s[end]!)) end++;
    if (end > i + 1)
      offer(end - i, 12, (text) => ({ type: "ID", text, start: i, end: i + text.length, value: text.slice(1) }));
  }
  if (best) return best.make(s.slice(i, i + best.len));
  // 13. anything else
  return { type: "LEX_ERROR", text: s[i]!, start: i, end: i + 1 };
}
