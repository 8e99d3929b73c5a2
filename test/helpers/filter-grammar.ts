// A seeded generator of random pcap-filter expressions, for differential tests against libpcap.
// It walks the grammar with weights that favour expressions that compile and match something
// (addresses, ports and MACs come from the captures), and sometimes bends the rules (a dangling
// operator, an unknown name, an out-of-range number) so error handling is compared too.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface Vocabulary {
  ipv4: string[];
  ipv6: string[];
  macs: string[];
  ports: number[];
}

const PROTOS = [
  "ip",
  "ip6",
  "arp",
  "rarp",
  "tcp",
  "udp",
  "icmp",
  "icmp6",
  "sctp",
  "igmp",
  "pim",
  "vrrp",
  "ah",
  "esp",
  "stp",
  "ipx",
  "iso",
  "netbeui",
  "atalk",
  "aarp",
  "decnet",
  "lat",
  "sca",
  "moprc",
  "mopdl",
  "isis",
  "esis",
  "clnp",
  "l1",
  "l2",
  "iih",
  "lsp",
  "snp",
  "csnp",
  "psnp",
  "igrp",
  "carp",
  "llc",
  "pppoed",
];
const LOAD_PROTOS = [
  "ether",
  "link",
  "ip",
  "ip6",
  "arp",
  "rarp",
  "tcp",
  "udp",
  "icmp",
  "icmp6",
  "sctp",
  "igmp",
  "pim",
  "vrrp",
  "igrp",
  "decnet",
  "atalk",
];
const PORT_NAMES = [
  "http",
  "https",
  "ssh",
  "domain",
  "ftp",
  "ftp-data",
  "telnet",
  "smtp",
  "ntp",
  "snmp",
  "bootps",
  "bootpc",
  "isakmp",
  "syslog",
  "bgp",
  "ldap",
  "kerberos",
  "nfs",
  "tftp",
];
const NUM_NAMES = [
  "tcpflags",
  "tcp-syn",
  "tcp-ack",
  "tcp-fin",
  "tcp-rst",
  "tcp-push",
  "tcp-urg",
  "icmptype",
  "icmpcode",
  "icmp-echo",
  "icmp-echoreply",
  "icmp-unreach",
  "icmp6type",
  "icmp6-echo",
  "icmp6-neighborsolicit",
];
const MASKS = [1, 2, 0x0f, 0xf0, 0x10, 0x12, 0x3f, 0xff, 0x1fff, 0xffff, 0x8000];

export class ExpressionGenerator {
  constructor(
    private readonly r: Rng,
    private readonly v: Vocabulary,
  ) {}

  private num(): string {
    const r = this.r;
    const n = r.pick([
      0,
      1,
      2,
      4,
      6,
      8,
      13,
      14,
      17,
      20,
      23,
      40,
      53,
      64,
      80,
      100,
      128,
      255,
      443,
      576,
      1000,
      1500,
      0x800,
      65535,
      r.int(256),
      r.int(2000),
    ]);
    const form = r.int(10);
    if (form === 0) return `0x${n.toString(16)}`;
    if (form === 1 && n > 0) return `0${n.toString(8)}`;
    return String(n);
  }

  private ipv4(): string {
    const r = this.r;
    return this.v.ipv4.length && r.chance(0.8)
      ? r.pick(this.v.ipv4)
      : `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`;
  }

  private net(): string {
    const r = this.r;
    const parts = this.ipv4().split(".").map(Number);
    switch (r.int(4)) {
      case 0:
        return `${parts[0]}`;
      case 1:
        return `${parts[0]}.${parts[1]}`;
      case 2: {
        const len = r.pick([8, 16, 24, 12, 20, 32, 0]);
        const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
        const n = ((((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0) & m) >>> 0;
        return `${n >>> 24}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/${len}`;
      }
      default:
        return `${parts[0]}.${parts[1]}.0.0 mask 255.255.0.0`;
    }
  }

  private port(): string {
    const r = this.r;
    if (r.chance(0.25)) return r.pick(PORT_NAMES);
    return String(this.v.ports.length && r.chance(0.7) ? r.pick(this.v.ports) : r.int(65536));
  }

  private dir(): string {
    return this.r.pick(["", "", "", "src ", "dst ", "src or dst ", "src and dst "]);
  }

  /** Something that can follow "and"/"or" and inherit the qualifiers (or a full primitive). */
  private bareId(kind: "host" | "port" | "net" | "any"): string {
    const r = this.r;
    switch (kind) {
      case "host":
        return r.chance(0.2) ? `not ${this.ipv4()}` : this.ipv4();
      case "port":
        return r.chance(0.2)
          ? `(${this.port()} or ${this.port()})`
          : String(this.v.ports.length ? r.pick(this.v.ports) : r.int(65536));
      case "net":
        return this.net();
      default:
        return this.ipv4();
    }
  }

  arith(depth: number): string {
    const r = this.r;
    if (depth <= 0 || r.chance(0.35)) {
      switch (r.int(6)) {
        case 0:
          return "len";
        case 1:
        case 2:
          return this.num();
        case 3:
          return r.pick(NUM_NAMES);
        default:
          return this.load(depth - 1);
      }
    }
    switch (r.int(8)) {
      case 0:
        return `-${this.arith(depth - 1)}`;
      case 1:
        return `(${this.arith(depth - 1)})`;
      case 2:
        return `${this.load(depth - 1)} & ${r.pick(MASKS)}`;
      default: {
        const op = r.pick(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]);
        let right = this.arith(depth - 1);
        if ((op === "<<" || op === ">>") && r.chance(0.8)) right = String(r.int(32));
        if ((op === "/" || op === "%") && r.chance(0.7)) right = String(1 + r.int(20));
        return `${this.arith(depth - 1)} ${op} ${right}`;
      }
    }
  }

  private load(depth: number): string {
    const r = this.r;
    const proto = r.pick(LOAD_PROTOS);
    const index =
      depth > 0 && r.chance(0.15)
        ? this.arith(depth - 1)
        : String(r.pick([0, 1, 2, 6, 8, 9, 12, 13, 14, 16, 20, 23, 24, 30, 40, r.int(64)]));
    const size = r.pick(["", "", ":1", ":2", ":4", ":2"]);
    return `${proto}[${index}${size}]`;
  }

  primitive(): [string, "host" | "port" | "net" | "any"] {
    const r = this.r;
    switch (r.int(22)) {
      case 0:
      case 1:
        return [r.pick(PROTOS), "any"];
      case 2:
      case 3:
        return [`${r.pick(["", "ip ", "arp ", "rarp "])}${this.dir()}host ${this.ipv4()}`, "host"];
      case 4:
        return [`${r.pick(["", "ip6 "])}${this.dir()}host ${this.v.ipv6.length ? r.pick(this.v.ipv6) : "::1"}`, "any"];
      case 5:
        return [`${r.pick(["", "ip "])}${this.dir()}net ${this.net()}`, "net"];
      case 6:
      case 7:
        return [`${r.pick(["", "tcp ", "udp ", "sctp "])}${this.dir()}port ${this.port()}`, "port"];
      case 8: {
        const a = r.int(2000),
          b = a + r.int(3000);
        return [`${r.pick(["", "tcp ", "udp "])}${this.dir()}portrange ${a}-${b}`, "any"];
      }
      case 9:
        return [`ether ${this.dir()}host ${this.v.macs.length ? r.pick(this.v.macs) : "ff:ff:ff:ff:ff:ff"}`, "any"];
      case 10:
        return [
          r.pick([
            "ether broadcast",
            "ether multicast",
            "broadcast",
            "multicast",
            "ip multicast",
            "ip6 multicast",
            "ip broadcast",
          ]),
          "any",
        ];
      case 11:
        return [
          r.pick([
            `ether proto ${r.pick(["0x800", "0x86dd", "0x806", "0x8100", "\\ip", "\\arp", "\\ip6", "0x88cc", "66", "0xfe"])}`,
            `proto ${r.pick(["6", "17", "1", "58", "\\tcp", "\\udp", "\\icmp", "132", "50"])}`,
            `ip proto ${r.pick(["6", "17", "1", "\\tcp", "\\ospf", "89", "2"])}`,
            `ip6 proto ${r.pick(["6", "17", "58", "\\tcp", "0", "43"])}`,
          ]),
          "any",
        ];
      case 12:
        return [
          r.pick([
            "vlan",
            `vlan ${r.pick([1, 2, 10, 100, 200, 1000, 4094])}`,
            "mpls",
            `mpls ${r.int(1000)}`,
            "pppoes",
            `pppoes ${r.int(5)}`,
          ]),
          "any",
        ];
      case 13:
        return [`${r.pick(["less", "greater"])} ${r.pick([40, 60, 64, 100, 128, 500, 1000, 1500])}`, "any"];
      case 14:
      case 15:
      case 16:
      case 17:
        return [`${this.arith(2)} ${r.pick([">", ">=", "=", "==", "<=", "<", "!="])} ${this.arith(1)}`, "any"];
      case 18:
        return [
          r.pick([
            "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0",
            "tcp[tcpflags] & tcp-syn != 0",
            "tcp[13] & 0x12 = 0x12",
            "icmp[icmptype] == icmp-echo",
            "icmp[icmptype] != icmp-echoreply",
            "icmp6[icmp6type] = icmp6-neighborsolicit",
            "ip[6:2] & 0x1fff != 0",
            "ip[0] & 0xf > 5",
            "ether[0] & 1 != 0",
            "udp[8:2] > 1000",
          ]),
          "any",
        ];
      case 19:
        return [
          r.pick(["llc", "llc u", "llc s", "llc i", "llc ui", "llc xid", "stp", "iso", "isis", "l1", "l2", "esis"]),
          "any",
        ];
      case 20:
        return [
          r.pick([
            "inbound",
            "outbound",
            "ifindex 1",
            "ip6 net fe80::/10",
            "ip6 net 2001:db8::/32",
            "net 0/0",
            "dst net 224.0.0.0/4",
            "src net 10.0.0.0/8",
          ]),
          "any",
        ];
      default:
        return [
          `ether ${r.pick(["src", "dst"])} ${this.v.macs.length ? r.pick(this.v.macs) : "00:00:00:00:00:00"}`,
          "any",
        ];
    }
  }

  expr(depth: number): string {
    const r = this.r;
    if (depth <= 0 || r.chance(0.3)) return this.primitive()[0];
    switch (r.int(7)) {
      case 0:
        return `not ${this.expr(depth - 1)}`;
      case 1:
        return `(${this.expr(depth - 1)})`;
      case 2: {
        // a primitive followed by ids that inherit its qualifiers
        const [p, kind] = this.primitive();
        let out = p;
        for (let i = 1 + r.int(2); i > 0; i--)
          out += ` ${r.pick(["and", "or", "&&", "||"])} ${kind === "any" ? this.primitive()[0] : this.bareId(kind)}`;
        return out;
      }
      default:
        return `${this.expr(depth - 1)} ${r.pick(["and", "or", "&&", "||", "and not", "or not"])} ${this.expr(depth - 1)}`;
    }
  }

  /** An expression, sometimes damaged so that it (probably) does not compile. */
  next(): string {
    const r = this.r;
    const e = this.expr(3);
    if (!r.chance(0.08)) return e;
    switch (r.int(6)) {
      case 0:
        return `${e} and`;
      case 1:
        return `(${e}`;
      case 2:
        return `${e} or foo.invalid`;
      case 3:
        return `${e} and port 99999`;
      case 4:
        return e.replace(/\d+/, "08");
      default:
        return `${e} ) `;
    }
  }
}
