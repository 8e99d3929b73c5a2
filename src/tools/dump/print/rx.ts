// Rx (the RPC transport of AFS, UDP ports 7000-7009) and the AFS services above it, as tcpdump
// prints them: " rx TYPE", with -v the sequence and serial numbers (-vv the connection, call
// number and flags, -vvv the security index and service ID), acks with their acked/nacked ranges,
// and for the first packet of a call to a known service port (fs, cb, pt, vldb, kauth, vol, bos and
// ubik inside them) the call's operation and arguments. Replies name neither their operation nor
// their arguments' layout: the call they answer is found in a table of recent calls (RxCallTable),
// as tcpdump keeps one. The packet's length closes the line: " (N)".
//
// Two kinds of truncation, as tcpdump has them: a read past the captured end unwinds the packet
// and the line ends " [|rx]"; a field a service checks before reading it (a file ID, a string, a
// fixed array) ends the service's text with " [|fs]" (or the service's name) and the line still
// gets its length.

import { be16, be32, has, u8, type PrintContext } from "./context.js";
import { printableChar } from "./unknown.js";

const HEADER = 28;

const TYPE_DATA = 1;
const TYPE_ACK = 2;
const TYPE_ABORT = 4;
const CLIENT_INITIATED = 1;

const FS_PORT = 7000;
const CB_PORT = 7001;
const PROT_PORT = 7002;
const VLDB_PORT = 7003;
const KAUTH_PORT = 7004;
const VOL_PORT = 7005;
const ERROR_PORT = 7006;
const BOS_PORT = 7007;

const AFSNAMEMAX = 256;
const AFSOPAQUEMAX = 1024;
const PRNAMEMAX = 64;
const VLNAMEMAX = 65;
const KANAMEMAX = 64;
const BOSNAMEMAX = 256;

const TYPES = [
  "",
  "data",
  "ack",
  "busy",
  "abort",
  "ackall",
  "challenge",
  "response",
  "debug",
  "params",
  "",
  "",
  "",
  "version",
];

// Flag bits and names; 32 means one thing on acks and another on data packets.
const FLAG_NAMES: readonly [number, number, string][] = [
  [1, 0, "client-init"],
  [2, 0, "req-ack"],
  [4, 0, "last-pckt"],
  [8, 0, "more-pckts"],
  [16, 0, "free-pckt"],
  [32, TYPE_ACK, "slow-start"],
  [32, TYPE_DATA, "jumbogram"],
];

/** Operation names numbered consecutively from `first`. */
function table(first: number, names: string): Map<number, string> {
  const m = new Map<number, string>();
  let n = first;
  for (const name of names.split(" ")) m.set(n++, name);
  return m;
}

const FS_OPS = table(
  130,
  "fetch-data fetch-acl fetch-status store-data store-acl store-status remove-file create-file rename symlink link " +
    "makedir rmdir oldsetlock oldextlock oldrellock get-stats give-cbs get-vlinfo get-vlstats set-vlstats get-rootvl " +
    "check-token get-time nget-vlinfo bulk-stat setlock extlock rellock xstat-ver get-xstat dfs-lookup dfs-flushcps " +
    "dfs-symlink",
);
FS_OPS.set(220, "residency");
for (const [k, v] of table(
  65536,
  "inline-bulk-status fetch-data-64 store-data-64 give-up-all-cbs get-caps cb-rx-conn-addr",
))
  FS_OPS.set(k, v);

const CB_OPS = table(
  204,
  "callback initcb probe getlock getce xstatver getxstat initcb2 whoareyou initcb3 probeuuid getsrvprefs " +
    "getcellservdb getlocalcell getcacheconf",
);
for (const [k, v] of table(65536, "getce64 getcellbynum tellmeaboutyourself")) CB_OPS.set(k, v);

const PT_OPS = table(
  500,
  "new-user where-is-it dump-entry add-to-group name-to-id id-to-name delete remove-from-group get-cps new-entry " +
    "list-max set-max list-entry change-entry list-elements same-mbr-of set-fld-sentry list-owned get-cps2 " +
    "get-host-cps update-entry list-entries",
);
PT_OPS.set(530, "list-super-groups");

const VLDB_OPS = table(
  501,
  "create-entry delete-entry get-entry-by-id get-entry-by-name get-new-volume-id replace-entry update-entry setlock " +
    "releaselock list-entry list-attrib linked-list get-stats probe get-addrs change-addr create-entry-n " +
    "get-entry-by-id-n get-entry-by-name-n replace-entry-n list-entry-n list-attrib-n linked-list-n " +
    "update-entry-by-name create-entry-u get-entry-by-id-u get-entry-by-name-u replace-entry-u list-entry-u " +
    "list-attrib-u linked-list-u regaddr get-addrs-u list-attrib-n2",
);

const KAUTH_OPS = table(
  1,
  "auth-old change-pw get-ticket-old set-pw set-fields create-user delete-user get-entry list-entry get-stats debug " +
    "get-pw get-random-key unlock lock-status",
);
for (const [k, v] of table(21, "authenticate authenticate-v2 get-ticket")) KAUTH_OPS.set(k, v);

const VOL_OPS = table(
  100,
  "create-volume delete-volume restore forward end-trans clone set-flags get-flags trans-create dump get-nth-volume " +
    "set-forwarding get-name get-status sig-restore list-partitions list-volumes set-id-types monitor " +
    "partition-info reclone list-one-volume nuke set-date x-list-volumes x-list-one-volume set-info " +
    "x-list-partitions forward-multiple",
);
for (const [k, v] of table(65536, "convert-ro get-size dump-v2")) VOL_OPS.set(k, v);

const BOS_OPS = table(
  80,
  "create-bnode delete-bnode set-status get-status enumerate-instance get-instance-info get-instance-parm " +
    "add-superuser delete-superuser list-superusers list-keys add-key delete-key set-cell-name get-cell-name " +
    "get-cell-host add-cell-host delete-cell-host set-t-status shutdown-all restart-all startup-all " +
    "set-noauth-flag re-bozo restart start-bozo-install uninstall get-dates exec prune set-restart-time " +
    "get-restart-time start-bozo-log wait-all get-instance-strings get-restricted set-restricted",
);

const UBIK_OPS = table(
  10000,
  "vote-beacon vote-debug-old vote-sdebug-old vote-getsyncsite vote-debug vote-sdebug vote-xdebug vote-xsdebug",
);
for (const [k, v] of table(
  20000,
  "disk-begin disk-commit disk-lock disk-write disk-getversion disk-getfile disk-sendfile disk-abort " +
    "disk-releaselocks disk-truncate disk-probe disk-writev disk-interfaceaddr disk-setversion",
))
  UBIK_OPS.set(k, v);

const FS_ERRORS = new Map([
  [101, "salvage volume"],
  [102, "no such vnode"],
  [103, "no such volume"],
  [104, "volume exist"],
  [105, "no service"],
  [106, "volume offline"],
  [107, "voline online"],
  [108, "diskfull"],
  [109, "diskquota exceeded"],
  [110, "volume busy"],
  [111, "volume moved"],
  [112, "AFS IO error"],
  [-100, "restarting fileserver"],
]);

const ACK_REASONS = [
  "",
  "ack requested",
  "duplicate packet",
  "out of sequence",
  "exceeds window",
  "no buffer space",
  "ping",
  "ping response",
  "delay",
  "idle",
];

const VOLUME_TYPES = ["read-write", "read-only", "backup"];
const VOLUME_DATES = [" create", " access", " update", " expire", " backup", " copy"];
const LOCK_FIELDS = [" file", " pos", " length"];
const ACK_TRAILER = [" ifmtu", " maxmtu", " rwind", " maxpackets"];

/** Thrown where a service checks a field before reading it; caught by rxPrint. */
const SERVICE_TRUNCATED: { readonly service: true } = Object.freeze({ service: true });

/** The decoding position and the service named in " [|name]" (module state: printing is single-threaded). */
let pos = 0;
let service = "";

// Reused for the dates some operations carry, printed in local time as tcpdump does.
const DATE = new Date(0);

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function need(c: PrintContext, len: number): void {
  if (!has(c, pos, len)) throw SERVICE_TRUNCATED;
}

function uint(c: PrintContext): number {
  const v = be32(c, pos);
  pos += 4;
  return v;
}

function uintOut(c: PrintContext): void {
  c.out += " " + uint(c);
}

function intOut(c: PrintContext): void {
  c.out += " " + (uint(c) | 0);
}

function uint64Out(c: PrintContext): void {
  const high = be32(c, pos);
  const low = be32(c, pos + 4);
  pos += 8;
  c.out += " " + ((BigInt(high) << 32n) | BigInt(low)).toString();
}

function dateOut(c: PrintContext): void {
  DATE.setTime((uint(c) | 0) * 1000);
  c.out +=
    " " +
    DATE.getFullYear() +
    "/" +
    pad2(DATE.getMonth() + 1) +
    "/" +
    pad2(DATE.getDate()) +
    " " +
    pad2(DATE.getHours()) +
    ":" +
    pad2(DATE.getMinutes()) +
    ":" +
    pad2(DATE.getSeconds());
}

function fidOut(c: PrintContext): void {
  need(c, 12);
  c.out += " fid " + be32(c, pos) + "/" + be32(c, pos + 4) + "/" + be32(c, pos + 8);
  pos += 12;
}

function destServerOut(c: PrintContext): void {
  need(c, 12);
  c.out += " server " + be32(c, pos) + ":" + be32(c, pos + 4) + ":" + be32(c, pos + 8);
  pos += 12;
}

/** A counted string padded to 4 bytes, quoted; longer than max is truncation. */
function strOut(c: PrintContext, max: number): void {
  const n = be32(c, pos);
  if (n > max) throw SERVICE_TRUNCATED;
  pos += 4;
  c.out += ' "';
  let i = 0;
  for (; i < n && pos + i < c.snapend; i++) c.out += printableChar(c.bytes[pos + i]!);
  if (i < n) throw SERVICE_TRUNCATED;
  c.out += '"';
  pos += ((n + 3) >>> 2) << 2;
}

/** A string sent one character per 32-bit word, `words` of them, ended by the first NUL. */
function vecOut(c: PrintContext, words: number): void {
  need(c, words * 4);
  c.out += ' "';
  for (let k = 0; k < words; k++) {
    const ch = c.bytes[pos + k * 4 + 3]!;
    if (ch === 0) break;
    c.out += printableChar(ch);
  }
  c.out += '"';
  pos += words * 4;
}

function storeAttrOut(c: PrintContext): void {
  need(c, 24);
  const mask = uint(c);
  if (mask) c.out += " StoreStatus";
  if (mask & 1) {
    c.out += " date";
    dateOut(c);
  } else pos += 4;
  const owner = uint(c);
  if (mask & 2) c.out += " owner " + owner;
  const group = uint(c);
  if (mask & 4) c.out += " group " + group;
  const mode = uint(c);
  if (mask & 8) c.out += " mode " + (mode & 0o7777).toString(8);
  const segsize = uint(c);
  if (mask & 16) c.out += " segsize " + segsize;
  if (mask & 1024) c.out += " fsync";
}

function ubikVersionOut(c: PrintContext): void {
  need(c, 8);
  c.out += " " + be32(c, pos) + "." + be32(c, pos + 4);
  pos += 8;
}

function hexPad(v: number, width: number): string {
  const s = v.toString(16);
  return s.length >= width ? s : "0".repeat(width - s.length) + s;
}

function uuidOut(c: PrintContext): void {
  need(c, 44);
  c.out += " " + hexPad(uint(c), 8) + hexPad(uint(c), 4) + hexPad(uint(c), 4);
  for (let i = 0; i < 8; i++) c.out += hexPad(uint(c) & 0xff, 2);
}

/** A count, then that many items printed by `item`, " <none!>" for none. */
function listOut(c: PrintContext, item: (c: PrintContext) => void, separator: string): void {
  const n = uint(c);
  for (let i = 0; i < n; i++) {
    item(c);
    if (i !== n - 1) c.out += separator;
  }
  if (n === 0) c.out += " <none!>";
}

const prNameOut = (c: PrintContext): void => vecOut(c, PRNAMEMAX);

function isUbik(op: number): boolean {
  return (op >= 10000 && op <= 10007) || (op >= 20000 && op <= 20013);
}

function opName(names: Map<number, string>, op: number): string {
  return names.get(op) ?? "op#" + op;
}

export function rxPrint(c: PrintContext, at: number, length: number, sport: number, dport: number, ipAt: number): void {
  c.protocol = "rx";
  if (!has(c, at, HEADER)) {
    c.out += " [|rx] (" + length + ")";
    return;
  }
  const type = u8(c, at + 20);
  c.out += " rx " + (TYPES[type] || "type " + type);
  const flags = u8(c, at + 21);
  const v = c.flags.verbose;
  if (v) {
    if (v > 1) c.out += " cid " + hexPad(be32(c, at + 4), 8) + " call# " + be32(c, at + 8);
    c.out += " seq " + be32(c, at + 12) + " ser " + be32(c, at + 16);
    if (v > 2) c.out += " secindex " + u8(c, at + 23) + " serviceid " + be16(c, at + 26);
    if (v > 1) {
      let first = true;
      for (const [bit, onlyType, name] of FLAG_NAMES) {
        if (flags & bit && (onlyType === 0 || type === onlyType)) {
          c.out += first ? " " : ",";
          first = false;
          c.out += "<" + name + ">";
        }
      }
    }
  }
  const seq = be32(c, at + 12);
  try {
    if (type === TYPE_DATA && seq === 1 && flags & CLIENT_INITIATED) {
      if (has(c, at + HEADER, 4)) {
        c.rx.enter(
          be32(c, at + 8),
          be32(c, ipAt + 12),
          be32(c, ipAt + 16),
          dport,
          be16(c, at + 26),
          be32(c, at + HEADER),
        );
      }
      if (length > HEADER) callPrint(c, at, dport);
    } else if (
      ((type === TYPE_DATA && seq === 1) || type === TYPE_ABORT) &&
      (flags & CLIENT_INITIATED) === 0 &&
      c.rx.find(be32(c, at + 8), be32(c, ipAt + 16), be32(c, ipAt + 12), sport, be16(c, at + 26))
    ) {
      replyPrint(c, at, length, sport, c.rx.opcode, type);
    } else if (type === TYPE_ACK) {
      ackPrint(c, at, length);
    }
  } catch (e) {
    if (e !== SERVICE_TRUNCATED) throw e;
    c.out += " [|" + service + "]";
  }
  c.out += " (" + length + ")";
}

function callPrint(c: PrintContext, at: number, dport: number): void {
  if (dport < FS_PORT || dport > BOS_PORT || dport === ERROR_PORT) return;
  const op = be32(c, at + HEADER);
  pos = at + HEADER + 4;
  switch (dport) {
    case FS_PORT:
      service = "fs";
      c.out += " fs call " + opName(FS_OPS, op);
      fsCall(c, op);
      return;
    case CB_PORT:
      service = "cb";
      c.out += " cb call " + opName(CB_OPS, op);
      cbCall(c, op);
      return;
    case PROT_PORT:
      c.out += " pt";
      if (isUbik(op)) return ubikCall(c, op);
      service = "pt";
      c.out += " call " + opName(PT_OPS, op);
      ptCall(c, op);
      return;
    case VLDB_PORT:
      c.out += " vldb";
      if (isUbik(op)) return ubikCall(c, op);
      service = "vldb";
      c.out += " call " + opName(VLDB_OPS, op);
      vldbCall(c, op);
      return;
    case KAUTH_PORT:
      c.out += " kauth";
      if (isUbik(op)) return ubikCall(c, op);
      service = "kauth";
      c.out += " call " + opName(KAUTH_OPS, op);
      kauthCall(c, op);
      return;
    case VOL_PORT:
      service = "vol";
      c.out += " vol call " + opName(VOL_OPS, op);
      volCall(c, op);
      return;
    case BOS_PORT:
      service = "bos";
      c.out += " bos call " + opName(BOS_OPS, op);
      bosCall(c, op);
      return;
  }
}

function replyPrint(c: PrintContext, at: number, length: number, sport: number, op: number, type: number): void {
  pos = at + HEADER;
  // pt, vldb and ubik replies print from a bare header on; the others need a byte past it.
  const data = type === TYPE_DATA;
  switch (sport) {
    case FS_PORT:
      if (length <= HEADER) return;
      service = "fs";
      c.out += " fs reply " + opName(FS_OPS, op);
      if (data) fsReply(c, op);
      else if (type === TYPE_ABORT) {
        const code = uint(c) | 0;
        c.out += " error " + (FS_ERRORS.get(code) ?? "#" + code);
      } else c.out += " strange fs reply of type " + type;
      return;
    case CB_PORT:
      if (length <= HEADER) return;
      service = "cb";
      c.out += " cb reply " + opName(CB_OPS, op);
      if (!data) return errcodeOut(c);
      if (op === 213) uuidOut(c);
      return;
    case PROT_PORT:
      if (length < HEADER) return;
      c.out += " pt";
      if (isUbik(op)) return ubikReply(c, op, data);
      service = "pt";
      c.out += " reply " + opName(PT_OPS, op);
      if (!data) return errcodeOut(c);
      ptReply(c, op);
      return;
    case VLDB_PORT:
      if (length < HEADER) return;
      c.out += " vldb";
      if (isUbik(op)) return ubikReply(c, op, data);
      service = "vldb";
      c.out += " reply " + opName(VLDB_OPS, op);
      if (!data) return errcodeOut(c);
      vldbReply(c, op);
      return;
    case KAUTH_PORT:
      if (length <= HEADER) return;
      c.out += " kauth";
      if (isUbik(op)) return ubikReply(c, op, data);
      service = "kauth";
      c.out += " reply " + opName(KAUTH_OPS, op);
      if (!data) errcodeOut(c);
      return;
    case VOL_PORT:
      if (length <= HEADER) return;
      service = "vol";
      c.out += " vol reply " + opName(VOL_OPS, op);
      if (!data) return errcodeOut(c);
      volReply(c, op);
      return;
    case BOS_PORT:
      if (length <= HEADER) return;
      service = "bos";
      c.out += " bos reply " + opName(BOS_OPS, op);
      if (!data) errcodeOut(c);
      return;
  }
}

function errcodeOut(c: PrintContext): void {
  c.out += " errcode";
  intOut(c);
}

function fsCall(c: PrintContext, op: number): void {
  switch (op) {
    case 130:
      fidOut(c);
      c.out += " offset";
      uintOut(c);
      c.out += " length";
      uintOut(c);
      return;
    case 131:
    case 132:
    case 143:
    case 144:
    case 145:
    case 156:
    case 157:
    case 158:
      fidOut(c);
      return;
    case 135:
      fidOut(c);
      storeAttrOut(c);
      return;
    case 133:
      fidOut(c);
      storeAttrOut(c);
      c.out += " offset";
      uintOut(c);
      c.out += " length";
      uintOut(c);
      c.out += " flen";
      uintOut(c);
      return;
    case 134:
      fidOut(c);
      aclOut(c);
      return;
    case 137:
    case 141:
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      storeAttrOut(c);
      return;
    case 136:
    case 142:
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      return;
    case 138:
      c.out += " old";
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      c.out += " new";
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      return;
    case 139:
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      c.out += " link to";
      strOut(c, AFSNAMEMAX);
      return;
    case 140:
      fidOut(c);
      strOut(c, AFSNAMEMAX);
      c.out += " link to";
      fidOut(c);
      return;
    case 148:
      strOut(c, AFSNAMEMAX);
      return;
    case 149:
    case 150:
      c.out += " volid";
      uintOut(c);
      return;
    case 154:
      c.out += " volname";
      strOut(c, AFSNAMEMAX);
      return;
    case 155:
    case 65536:
      listOut(c, fidOut, ",");
      return;
    case 65537:
      fidOut(c);
      c.out += " offset";
      uint64Out(c);
      c.out += " length";
      uint64Out(c);
      return;
    case 65538:
      fidOut(c);
      storeAttrOut(c);
      c.out += " offset";
      uint64Out(c);
      c.out += " length";
      uint64Out(c);
      c.out += " flen";
      uint64Out(c);
      return;
    case 65541:
      c.out += " addr";
      uintOut(c);
      return;
  }
}

function fsReply(c: PrintContext, op: number): void {
  switch (op) {
    case 131:
      aclOut(c);
      return;
    case 137:
    case 141:
      c.out += " new";
      fidOut(c);
      return;
    case 151:
      c.out += " root volume";
      strOut(c, AFSNAMEMAX);
      return;
    case 153:
      dateOut(c);
      return;
  }
}

// ACL text: "POSITIVE NEGATIVE\n" then one "USER RIGHTS\n" per entry, parsed as tcpdump's scanf
// patterns parse it (whitespace-separated fields, stopping at the first NUL or mismatch).
let aclText = "";
let aclAt = 0;

function isSpace(ch: string): boolean {
  return ch === " " || (ch >= "\t" && ch <= "\r");
}

function skipSpace(): void {
  while (aclAt < aclText.length && isSpace(aclText[aclAt]!)) aclAt++;
}

/** A decimal integer, wrapped to 32 bits as scanf's %d stores it; undefined on no digits. */
function scanInt(): number | undefined {
  skipSpace();
  let i = aclAt;
  let negative = false;
  if (aclText[i] === "+" || aclText[i] === "-") {
    negative = aclText[i] === "-";
    i++;
  }
  const digits = i;
  let value = 0;
  while (i < aclText.length && aclText[i]! >= "0" && aclText[i]! <= "9") {
    // Saturates like strtol on overflow, then keeps the low 32 bits.
    if (value < 2 ** 63) value = value * 10 + (aclText.charCodeAt(i) - 48);
    i++;
  }
  if (i === digits) return undefined;
  aclAt = i;
  let big = BigInt(Math.min(value, 2 ** 63));
  if (big > 2n ** 63n - 1n) big = negative ? 2n ** 63n : 2n ** 63n - 1n;
  if (negative) big = -big;
  return Number(BigInt.asIntN(32, big));
}

function scanWord(): string | undefined {
  skipSpace();
  const start = aclAt;
  while (aclAt < aclText.length && !isSpace(aclText[aclAt]!) && aclAt - start < 1024) aclAt++;
  return aclAt === start ? undefined : aclText.slice(start, aclAt);
}

function rights(acl: number): string {
  return (
    (acl & 1 ? "r" : "") +
    (acl & 8 ? "l" : "") +
    (acl & 4 ? "i" : "") +
    (acl & 16 ? "d" : "") +
    (acl & 2 ? "w" : "") +
    (acl & 32 ? "k" : "") +
    (acl & 64 ? "a" : "")
  );
}

function aclOut(c: PrintContext): void {
  let n = uint(c);
  need(c, n);
  if (n > AFSOPAQUEMAX) n = AFSOPAQUEMAX;
  aclText = "";
  for (let i = 0; i < n; i++) {
    const b = c.bytes[pos + i]!;
    if (b === 0) break;
    aclText += String.fromCharCode(b);
  }
  aclAt = 0;
  const positive = scanInt();
  if (positive === undefined) return;
  const negative = scanInt();
  if (negative === undefined) return;
  skipSpace();
  if (aclEntries(c, positive, " +{")) aclEntries(c, negative, " -{");
}

/** Prints `count` entries; false when the text ran out first. */
function aclEntries(c: PrintContext, count: number, sign: string): boolean {
  for (let i = 0; i < count; i++) {
    const user = scanWord();
    if (user === undefined) return false;
    const acl = scanInt();
    if (acl === undefined) return false;
    skipSpace();
    c.out += sign;
    for (let k = 0; k < user.length; k++) c.out += printableChar(user.charCodeAt(k));
    c.out += " " + rights(acl) + "}";
  }
  return true;
}

function cbCall(c: PrintContext, op: number): void {
  if (op === 204) {
    listOut(c, fidOut, ",");
    const n = uint(c);
    if (n !== 0) c.out += ";";
    for (let i = 0; i < n; i++) {
      c.out += " ver";
      intOut(c);
      c.out += " expires";
      dateOut(c);
      uint(c); // the callback type: read, never printed
    }
  } else if (op === 214) {
    c.out += " afsuuid";
    uuidOut(c);
  }
}

function ptCall(c: PrintContext, op: number): void {
  switch (op) {
    case 500:
      strOut(c, PRNAMEMAX);
      c.out += " id";
      intOut(c);
      c.out += " oldid";
      intOut(c);
      return;
    case 501:
    case 506:
    case 508:
    case 512:
    case 514:
    case 517:
    case 518:
    case 519:
    case 530:
      c.out += " id";
      intOut(c);
      return;
    case 502:
      c.out += " pos";
      intOut(c);
      return;
    case 503:
    case 507:
    case 515:
      c.out += " uid";
      intOut(c);
      c.out += " gid";
      intOut(c);
      return;
    case 504: {
      const n = uint(c);
      for (let i = 0; i < n; i++) vecOut(c, PRNAMEMAX);
      if (n === 0) c.out += " <none!>";
      return;
    }
    case 505:
      idsOut(c);
      return;
    case 509:
      strOut(c, PRNAMEMAX);
      c.out += " flag";
      intOut(c);
      c.out += " oid";
      intOut(c);
      return;
    case 511:
      c.out += " id";
      intOut(c);
      c.out += " gflag";
      intOut(c);
      return;
    case 513:
      c.out += " id";
      intOut(c);
      strOut(c, PRNAMEMAX);
      c.out += " oldid";
      intOut(c);
      c.out += " newid";
      intOut(c);
      return;
    case 520:
      c.out += " id";
      intOut(c);
      strOut(c, PRNAMEMAX);
      return;
  }
}

function idsOut(c: PrintContext): void {
  c.out += " ids:";
  const n = uint(c);
  for (let i = 0; i < n; i++) intOut(c);
  if (n === 0) c.out += " <none!>";
}

function ptReply(c: PrintContext, op: number): void {
  switch (op) {
    case 504:
      idsOut(c);
      return;
    case 505:
      listOut(c, prNameOut, "");
      return;
    case 508:
    case 514:
    case 517:
    case 518:
    case 519: {
      const n = uint(c);
      for (let i = 0; i < n; i++) intOut(c);
      if (n === 0) c.out += " <none!>";
      return;
    }
    case 510:
      c.out += " maxuid";
      intOut(c);
      c.out += " maxgid";
      intOut(c);
      return;
  }
}

function volumeIdAndType(c: PrintContext): void {
  c.out += " volid";
  intOut(c);
  const t = uint(c);
  if (t <= 2) c.out += " type " + VOLUME_TYPES[t];
}

function vldbCall(c: PrintContext, op: number): void {
  switch (op) {
    case 501:
    case 517:
      vecOut(c, VLNAMEMAX);
      return;
    case 502:
    case 503:
    case 507:
    case 508:
    case 509:
    case 518:
      volumeIdAndType(c);
      return;
    case 504:
    case 519:
    case 524:
    case 527:
      strOut(c, VLNAMEMAX);
      return;
    case 505:
      c.out += " bump";
      intOut(c);
      return;
    case 506:
    case 520:
      volumeIdAndType(c);
      vecOut(c, VLNAMEMAX);
      return;
    case 510:
    case 521:
      c.out += " index";
      intOut(c);
      return;
  }
}

function partitionsOut(c: PrintContext, slots: number, servers: number): void {
  c.out += " partitions";
  for (let i = 0; i < slots; i++) {
    const p = be32(c, pos);
    if (i < servers && p <= 26) c.out += " " + String.fromCharCode(97 + p);
    else if (i < servers) c.out += " " + p;
    pos += 4;
  }
  need(c, slots * 4);
  pos += slots * 4;
  c.out += " rwvol";
  uintOut(c);
  c.out += " rovol";
  uintOut(c);
  c.out += " backup";
  uintOut(c);
}

function ipv4Servers(c: PrintContext, slots: number, servers: number): void {
  c.out += " servers";
  for (let i = 0; i < slots; i++) {
    need(c, 4);
    if (i < servers)
      c.out += " " + c.bytes[pos] + "." + c.bytes[pos + 1] + "." + c.bytes[pos + 2] + "." + c.bytes[pos + 3];
    pos += 4;
  }
}

function vldbReply(c: PrintContext, op: number): void {
  switch (op) {
    case 510:
    case 503:
    case 504: {
      if (op === 510) countAndNext(c);
      vecOut(c, VLNAMEMAX);
      need(c, 4);
      pos += 4;
      c.out += " numservers";
      const n = uint(c);
      c.out += " " + n;
      ipv4Servers(c, 8, n);
      partitionsOut(c, 8, n);
      return;
    }
    case 505:
      c.out += " newvol";
      uintOut(c);
      return;
    case 521:
    case 529:
    case 518:
    case 519: {
      if (op === 521 || op === 529) countAndNext(c);
      vecOut(c, VLNAMEMAX);
      c.out += " numservers";
      const n = uint(c);
      c.out += " " + n;
      ipv4Servers(c, 13, n);
      partitionsOut(c, 13, n);
      return;
    }
    case 526:
    case 527: {
      vecOut(c, VLNAMEMAX);
      c.out += " numservers";
      const n = uint(c);
      c.out += " " + n;
      c.out += " servers";
      for (let i = 0; i < 13; i++) {
        if (i < n) {
          c.out += " afsuuid";
          uuidOut(c);
        } else {
          need(c, 44);
          pos += 44;
        }
      }
      need(c, 4 * 13);
      pos += 4 * 13;
      partitionsOut(c, 13, n);
      return;
    }
  }
}

function countAndNext(c: PrintContext): void {
  c.out += " count";
  intOut(c);
  c.out += " nextindex";
  intOut(c);
}

function kauthCall(c: PrintContext, op: number): void {
  switch (op) {
    case 1:
    case 21:
    case 22:
    case 2:
    case 5:
    case 6:
    case 7:
    case 8:
    case 14:
    case 15:
      c.out += " principal";
      strOut(c, KANAMEMAX);
      strOut(c, KANAMEMAX);
      return;
    case 3:
    case 23: {
      c.out += " kvno";
      intOut(c);
      c.out += " domain";
      strOut(c, KANAMEMAX);
      const n = uint(c);
      need(c, n);
      pos += n;
      c.out += " principal";
      strOut(c, KANAMEMAX);
      strOut(c, KANAMEMAX);
      return;
    }
    case 4:
      c.out += " principal";
      strOut(c, KANAMEMAX);
      strOut(c, KANAMEMAX);
      c.out += " kvno";
      intOut(c);
      return;
    case 12:
      c.out += " name";
      strOut(c, KANAMEMAX);
      return;
  }
}

/** A labelled unsigned field. */
function labelled(c: PrintContext, label: string): void {
  c.out += label;
  uintOut(c);
}

function volCall(c: PrintContext, op: number): void {
  switch (op) {
    case 100:
      c.out += " partition";
      uintOut(c);
      c.out += " name";
      strOut(c, AFSNAMEMAX);
      labelled(c, " type");
      labelled(c, " parent");
      return;
    case 101:
    case 107:
      labelled(c, " trans");
      return;
    case 102:
      labelled(c, " totrans");
      labelled(c, " flags");
      return;
    case 103:
      labelled(c, " fromtrans");
      c.out += " fromdate";
      dateOut(c);
      destServerOut(c);
      c.out += " desttrans";
      intOut(c);
      return;
    case 104:
      labelled(c, " trans");
      return;
    case 105:
      labelled(c, " trans");
      labelled(c, " purgevol");
      labelled(c, " newtype");
      c.out += " newname";
      strOut(c, AFSNAMEMAX);
      return;
    case 106:
      labelled(c, " trans");
      labelled(c, " flags");
      return;
    case 108:
      labelled(c, " vol");
      labelled(c, " partition");
      labelled(c, " flags");
      return;
    case 109:
    case 655537:
      labelled(c, " fromtrans");
      c.out += " fromdate";
      dateOut(c);
      return;
    case 110:
      labelled(c, " index");
      return;
    case 111:
      labelled(c, " tid");
      labelled(c, " newsite");
      return;
    case 112:
    case 113:
      c.out += " tid";
      return;
    case 114:
      c.out += " name";
      strOut(c, AFSNAMEMAX);
      labelled(c, " type");
      labelled(c, " pid");
      labelled(c, " cloneid");
      return;
    case 116:
      labelled(c, " partition");
      labelled(c, " flags");
      return;
    case 117:
      labelled(c, " tid");
      c.out += " name";
      strOut(c, AFSNAMEMAX);
      labelled(c, " type");
      labelled(c, " pid");
      labelled(c, " clone");
      labelled(c, " backup");
      return;
    case 119:
      c.out += " name";
      strOut(c, AFSNAMEMAX);
      return;
    case 120:
      labelled(c, " tid");
      return;
    case 121:
    case 122:
    case 124:
    case 125:
    case 65536:
      labelled(c, " partid");
      labelled(c, " volid");
      return;
    case 123:
      labelled(c, " tid");
      c.out += " date";
      dateOut(c);
      return;
    case 126:
      labelled(c, " tid");
      return;
    case 128:
      labelled(c, " fromtrans");
      c.out += " fromdate";
      dateOut(c);
      listOut(c, destServerOut, ",");
      return;
    case 65538:
      labelled(c, " fromtrans");
      c.out += " fromdate";
      dateOut(c);
      labelled(c, " flags");
      return;
  }
}

function volReply(c: PrintContext, op: number): void {
  switch (op) {
    case 100:
      labelled(c, " volid");
      labelled(c, " trans");
      return;
    case 104:
    case 107:
      uintOut(c);
      return;
    case 105:
      labelled(c, " newvol");
      return;
    case 108:
      labelled(c, " trans");
      return;
    case 110:
      labelled(c, " volume");
      labelled(c, " partition");
      return;
    case 112:
      strOut(c, AFSNAMEMAX);
      return;
    case 113:
      labelled(c, " volid");
      labelled(c, " nextuniq");
      labelled(c, " type");
      labelled(c, " parentid");
      labelled(c, " clone");
      labelled(c, " backup");
      labelled(c, " restore");
      labelled(c, " maxquota");
      labelled(c, " minquota");
      labelled(c, " owner");
      for (const label of VOLUME_DATES) {
        c.out += label;
        dateOut(c);
      }
      return;
    case 116:
    case 121: {
      const n = uint(c);
      for (let i = 0; i < n; i++) {
        c.out += " name";
        vecOut(c, 32);
        labelled(c, " volid");
        c.out += " type";
        pos += 4 * 21;
        if (i !== n - 1) c.out += ",";
      }
      if (n === 0) c.out += " <none!>";
      return;
    }
  }
}

function bosCall(c: PrintContext, op: number): void {
  switch (op) {
    case 80:
      c.out += " type";
      strOut(c, BOSNAMEMAX);
      c.out += " instance";
      strOut(c, BOSNAMEMAX);
      return;
    case 81:
    case 83:
    case 85:
    case 87:
    case 88:
    case 93:
    case 96:
    case 97:
    case 104:
    case 106:
    case 108:
    case 112:
    case 114:
      strOut(c, BOSNAMEMAX);
      return;
    case 82:
    case 98:
      strOut(c, BOSNAMEMAX);
      c.out += " status";
      intOut(c);
      return;
    case 86:
      strOut(c, BOSNAMEMAX);
      c.out += " num";
      intOut(c);
      return;
    case 84:
    case 89:
    case 90:
    case 91:
    case 92:
    case 95:
      intOut(c);
      return;
    case 105:
      strOut(c, BOSNAMEMAX);
      c.out += " size";
      intOut(c);
      c.out += " flags";
      intOut(c);
      c.out += " date";
      intOut(c);
      return;
  }
}

function ubikCall(c: PrintContext, op: number): void {
  service = "ubik";
  c.out += " ubik call " + opName(UBIK_OPS, op);
  switch (op) {
    case 10000:
      c.out += " syncsite " + (uint(c) ? "yes" : "no");
      c.out += " votestart";
      dateOut(c);
      c.out += " dbversion";
      ubikVersionOut(c);
      c.out += " tid";
      ubikVersionOut(c);
      return;
    case 10003:
      labelled(c, " site");
      return;
    case 20000:
    case 20001:
    case 20007:
    case 20008:
    case 20010:
      c.out += " tid";
      ubikVersionOut(c);
      return;
    case 20002:
      c.out += " tid";
      ubikVersionOut(c);
      for (const label of LOCK_FIELDS) {
        c.out += label;
        intOut(c);
      }
      uint(c); // the lock type: read, never printed
      return;
    case 20003:
      c.out += " tid";
      ubikVersionOut(c);
      c.out += " file";
      intOut(c);
      c.out += " pos";
      intOut(c);
      return;
    case 20005:
      c.out += " file";
      intOut(c);
      return;
    case 20006:
      c.out += " file";
      intOut(c);
      c.out += " length";
      intOut(c);
      c.out += " dbversion";
      ubikVersionOut(c);
      return;
    case 20009:
      c.out += " tid";
      ubikVersionOut(c);
      c.out += " file";
      intOut(c);
      c.out += " length";
      intOut(c);
      return;
    case 20012:
      c.out += " tid";
      ubikVersionOut(c);
      c.out += " oldversion";
      ubikVersionOut(c);
      c.out += " newversion";
      ubikVersionOut(c);
      return;
  }
}

function ubikReply(c: PrintContext, op: number, data: boolean): void {
  service = "ubik";
  c.out += " ubik reply " + opName(UBIK_OPS, op);
  if (data) {
    if (op === 10000) c.out += " vote no";
    else if (op === 20004) {
      c.out += " dbversion";
      ubikVersionOut(c);
    }
  } else if (op === 10000) {
    c.out += " vote yes until";
    dateOut(c);
  } else errcodeOut(c);
}

/** Runs of packet numbers whose ack byte is `kind`: " acked 1-3,5". */
function ackRuns(c: PrintContext, at: number, count: number, first: number, kind: number, label: string): void {
  let start = -2;
  let last = -2;
  let i = 0;
  for (; i < count; i++) {
    if (c.bytes[at + i] === kind) {
      if (last === -2) {
        c.out += label + ((first + i) >>> 0);
        start = i;
      } else if (last !== i - 1) {
        c.out += "," + ((first + i) >>> 0);
        start = i;
      }
      last = i;
    } else if (last === i - 1 && start !== last) c.out += "-" + ((first + i - 1) >>> 0);
  }
  if (last === i - 1 && start !== last) c.out += "-" + ((first + i - 1) >>> 0);
}

function ackPrint(c: PrintContext, at: number, length: number): void {
  if (length < HEADER) return;
  service = "ack";
  pos = at + HEADER;
  need(c, 18);
  if (c.flags.verbose > 2) c.out += " bufspace " + be16(c, pos) + " maxskew " + be16(c, pos + 2);
  const first = be32(c, pos + 4);
  const reason = u8(c, pos + 16);
  c.out += " first " + first + " serial " + be32(c, pos + 12) + " reason " + (ACK_REASONS[reason] || "#" + reason);
  const count = u8(c, pos + 17);
  pos += 18;
  if (count !== 0) {
    need(c, count);
    ackRuns(c, pos, count, first, 1, " acked ");
    ackRuns(c, pos, count, first, 0, " nacked ");
    pos += count;
  }
  pos += 3;
  if (c.flags.verbose > 1) {
    for (const label of ACK_TRAILER) {
      // Stops quietly when fewer than four bytes are left.
      if (c.snapend - pos + 1 <= 4) return;
      c.out += label;
      uintOut(c);
    }
  }
}
