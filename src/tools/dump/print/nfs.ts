// NFS versions 2 and 3 (RFC 1094, RFC 1813) over Sun RPC (RFC 5531), as tcpdump prints them:
// "NFS request xid 1 112 lookup fh 8,1/2 "name"" for a call to port 2049 and "NFS reply xid 1
// reply ok 120 lookup fh ..." for a reply from it. A reply names neither its procedure nor its
// version: they come from the call with the same transaction ID between the same hosts, kept in
// the per-capture table of nfs-xids.ts. -v and -vv add attributes, as tcpdump does.
//
// Positions are byte offsets; NONE is tcpdump's "the data ran out here", which prints " [|nfs]"
// unless an NFS or RPC error was printed already. A read past the captured data throws TRUNCATED
// and prints " [|nfs]" whatever was printed.

import { be32, has, type PrintContext } from "./context.js";
import { hex2, hex4 } from "./addr.js";
import { printableChar } from "./unknown.js";

const NONE = -1;

// Offsets in an RPC message.
const XID = 0;
const CALL_VERS = 16;
const CALL_PROC = 20;
const CALL_CRED = 24;
const REPLY_STAT = 8;
const REJECT_STAT = 12;
const REJECT_LOW = 16;
const REJECT_HIGH = 20;
const REJECT_WHY = 16;

const NFS_VER3 = 3;
const V2_FH_WORDS = 8;
const V3_FH_MAX = 64;
const V2_FATTR = 68;
const V3_FATTR = 84;
const V2_STATFS = 20;
const V3_STATFS = 52;
const V3_FSINFO = 48;
const V3_PATHCONF = 24;

// Procedure numbers (version 3's; version 2's are mapped onto them).
const NULL = 0;
const GETATTR = 1;
const SETATTR = 2;
const LOOKUP = 3;
const ACCESS = 4;
const READLINK = 5;
const READ = 6;
const WRITE = 7;
const CREATE = 8;
const MKDIR = 9;
const SYMLINK = 10;
const MKNOD = 11;
const REMOVE = 12;
const RMDIR = 13;
const RENAME = 14;
const LINK = 15;
const READDIR = 16;
const READDIRPLUS = 17;
const FSSTAT = 18;
const FSINFO = 19;
const PATHCONF = 20;
const COMMIT = 21;
const NOOP = 25;
const V2_PROCS = 26;

/** Version 2's procedure numbers as version 3's (root, writecache and the like become "nop"). */
const V2_TO_V3 = [
  NULL,
  GETATTR,
  SETATTR,
  NOOP,
  LOOKUP,
  READLINK,
  READ,
  NOOP,
  WRITE,
  CREATE,
  REMOVE,
  RENAME,
  LINK,
  SYMLINK,
  MKDIR,
  RMDIR,
  READDIR,
  FSSTAT,
  ...Array<number>(8).fill(NOOP),
];

const PROC_NAMES: ReadonlyMap<number, string> = new Map([
  [NOOP, "nop"],
  [NULL, "null"],
  [GETATTR, "getattr"],
  [SETATTR, "setattr"],
  [LOOKUP, "lookup"],
  [ACCESS, "access"],
  [READLINK, "readlink"],
  [READ, "read"],
  [WRITE, "write"],
  [CREATE, "create"],
  [MKDIR, "mkdir"],
  [SYMLINK, "symlink"],
  [MKNOD, "mknod"],
  [REMOVE, "remove"],
  [RMDIR, "rmdir"],
  [RENAME, "rename"],
  [LINK, "link"],
  [READDIR, "readdir"],
  [READDIRPLUS, "readdirplus"],
  [FSSTAT, "fsstat"],
  [FSINFO, "fsinfo"],
  [PATHCONF, "pathconf"],
  [COMMIT, "commit"],
]);

/** NFS status codes, with the BSD error texts tcpdump prints. */
const STATUS_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "Operation not permitted"],
  [2, "No such file or directory"],
  [5, "Input/output error"],
  [6, "Device not configured"],
  [11, "Resource deadlock avoided"],
  [12, "Cannot allocate memory"],
  [13, "Permission denied"],
  [17, "File exists"],
  [18, "Cross-device link"],
  [19, "Operation not supported by device"],
  [20, "Not a directory"],
  [21, "Is a directory"],
  [22, "Invalid argument"],
  [26, "Text file busy"],
  [27, "File too large"],
  [28, "No space left on device"],
  [30, "Read-only file system"],
  [31, "Too many links"],
  [45, "Operation not supported"],
  [62, "Too many levels of symbolic links"],
  [63, "File name too long"],
  [66, "Directory not empty"],
  [69, "Disc quota exceeded"],
  [70, "Stale NFS file handle"],
  [71, "Too many levels of remote in path"],
  [99, "Write cache flushed to disk"],
  [10001, "Illegal NFS file handle"],
  [10002, "Update synchronization mismatch"],
  [10003, "READDIR/READDIRPLUS cookie is stale"],
  [10004, "Operation not supported"],
  [10005, "Buffer or request is too small"],
  [10006, "Unspecified error on server"],
  [10007, "Object of that type not supported"],
  [10008, "Request couldn't be completed in time"],
]);

const WRITE_MODES = ["unstable", "datasync", "filesync"];
const FILE_TYPES = ["NON", "REG", "DIR", "BLK", "CHR", "LNK"];
const TYPE_FIFO = 7;
const TYPE_BLK = 3;
const TYPE_CHR = 4;

const AUTH_ERRORS = [
  "OK",
  "Bogus Credentials (seal broken)",
  "Rejected Credentials (client should begin new session)",
  "Bogus Verifier (seal broken)",
  "Verifier expired or was replayed",
  "Credentials are too weak",
  "Bogus response verifier",
  "Unknown failure",
];
const ACCEPT_ERRORS = ["", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR"];

const ACCESS_FULL = 0x3f;
const ACCESS_NAMES = [
  "NFS_ACCESS_READ",
  "NFS_ACCESS_LOOKUP",
  "NFS_ACCESS_MODIFY",
  "NFS_ACCESS_EXTEND",
  "NFS_ACCESS_DELETE",
  "NFS_ACCESS_EXECUTE",
];

const SATTR_TIME_TO_CLIENT = 2;

/** Set once an NFS or RPC error has been printed: a short reply then gets no " [|nfs]". */
let errorPrinted = false;

/** A captured 64-bit unsigned value at `at`, in decimal. */
function u64(c: PrintContext, at: number): string {
  const hi = be32(c, at);
  const lo = be32(c, at + 4);
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** A captured 64-bit signed value at `at`, in decimal. */
function s64(c: PrintContext, at: number): string {
  const hi = be32(c, at);
  const lo = be32(c, at + 4);
  if (hi < 0x200000 || hi >= 0xffe00000) return String((hi | 0) * 0x100000000 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** A captured 64-bit value at `at`, in hex without leading zeros. */
function x64(c: PrintContext, at: number): string {
  const hi = be32(c, at);
  const lo = be32(c, at + 4);
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, "0");
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

/** "%u.%06u" of two captured words. */
function time(c: PrintContext, at: number): string {
  const sec = be32(c, at);
  const frac = be32(c, at + 4);
  return sec + "." + String(frac).padStart(6, "0");
}

/** Rounds an XDR opaque length up to whole words, wrapping at 2^32 as tcpdump's arithmetic does. */
function roundUp(len: number): number {
  return ((len + 3) & ~3) >>> 0;
}

export function nfsPrint(c: PrintContext, at: number, length: number, ipAt: number, request: boolean): void {
  c.protocol = "nfs";
  c.out += (request ? "NFS request xid " : "NFS reply xid ") + be32(c, at + XID) + " ";
  errorPrinted = false;
  if (request) printRequest(c, at, length, ipAt);
  else printReply(c, at, length, ipAt);
}

// --- calls

/** Where the procedure's arguments start, past credentials and verifier; NONE when not all there. */
function parseRequest(c: PrintContext, rp: number, length: number): number {
  let dp = rp + CALL_CRED;
  if (length < 8) return NONE;
  let len = be32(c, dp + 4);
  let rounded = roundUp(len);
  if (!has(c, dp + 8, rounded)) return NONE;
  if (8 + rounded > length) return NONE;
  dp += Math.floor((len + 11) / 4) * 4;
  length = (length - (8 + rounded)) >>> 0;
  if (length < 8) return NONE;
  len = be32(c, dp + 4);
  rounded = roundUp(len);
  if (!has(c, dp + 8, rounded)) return NONE;
  if (8 + rounded >= length) return NONE;
  return dp + Math.floor((len + 11) / 4) * 4;
}

/** Prints a file handle (a version 3 one has a length word first); the position past it, or NONE. */
function parseFileHandle(c: PrintContext, dp: number, v3: boolean): number {
  let words = V2_FH_WORDS;
  if (v3) {
    words = Math.floor(be32(c, dp) / 4);
    dp += 4;
  }
  if (!has(c, dp, words * 4)) return NONE;
  printFileHandle(c, dp, words);
  return dp + words * 4;
}

/** Prints a quoted file name; the position past its padding, or NONE. */
function parseFileName(c: PrintContext, dp: number): number {
  const len = be32(c, dp);
  dp += 4;
  if (0xffffffff - len < 3) {
    c.out += "[cannot pad to 32-bit boundaries] (invalid)";
    return NONE;
  }
  const rounded = roundUp(len);
  if (!has(c, dp, rounded)) return NONE;
  let s = '"';
  for (let i = 0; i < len; i++) s += printableChar(c.bytes[dp + i]!);
  c.out += s + '"';
  return dp + rounded;
}

function parseFileHandleAndName(c: PrintContext, dp: number, v3: boolean): number {
  dp = parseFileHandle(c, dp, v3);
  if (dp === NONE) return NONE;
  c.out += " ";
  return parseFileName(c, dp);
}

/** What a version 3 sattr3 sets, read before anything of it is printed. */
const sattr = {
  mode: -1,
  uid: -1,
  gid: -1,
  atimeSec: -1,
  atimeNsec: 0,
  mtimeSec: -1,
  mtimeNsec: 0,
};

/** Reads an sattr3 into `sattr`; the position past it. */
function parseSattr3(c: PrintContext, dp: number): number {
  sattr.mode = sattr.uid = sattr.gid = sattr.atimeSec = sattr.mtimeSec = -1;
  if (be32(c, dp)) {
    sattr.mode = be32(c, dp + 4);
    dp += 4;
  }
  dp += 4;
  if (be32(c, dp)) {
    sattr.uid = be32(c, dp + 4);
    dp += 4;
  }
  dp += 4;
  if (be32(c, dp)) {
    sattr.gid = be32(c, dp + 4);
    dp += 4;
  }
  dp += 4;
  // The size is read past, not printed.
  if (be32(c, dp)) {
    be32(c, dp + 4);
    dp += 4;
  }
  dp += 4;
  if (be32(c, dp) === SATTR_TIME_TO_CLIENT) {
    sattr.atimeSec = be32(c, dp + 4);
    sattr.atimeNsec = be32(c, dp + 8);
    dp += 8;
  }
  dp += 4;
  if (be32(c, dp) === SATTR_TIME_TO_CLIENT) {
    sattr.mtimeSec = be32(c, dp + 4);
    sattr.mtimeNsec = be32(c, dp + 8);
    dp += 8;
  }
  return dp + 4;
}

function printSattr3(c: PrintContext, verbose: number): void {
  if (sattr.mode !== -1) c.out += " mode " + sattr.mode.toString(8);
  if (sattr.uid !== -1) c.out += " uid " + sattr.uid;
  if (sattr.gid !== -1) c.out += " gid " + sattr.gid;
  if (verbose > 1) {
    if (sattr.atimeSec !== -1) c.out += " atime " + sattr.atimeSec + "." + String(sattr.atimeNsec).padStart(6, "0");
    if (sattr.mtimeSec !== -1) c.out += " mtime " + sattr.mtimeSec + "." + String(sattr.mtimeNsec).padStart(6, "0");
  }
}

function accessText(flags: number): string {
  if (flags & ~ACCESS_FULL) return " " + hex4(flags);
  if (flags === ACCESS_FULL) return " NFS_ACCESS_FULL";
  let s = "";
  for (let bit = 0; bit < ACCESS_NAMES.length; bit++)
    if (flags & (1 << bit)) s += (s === "" ? " " : "|") + ACCESS_NAMES[bit];
  return s;
}

function printRequest(c: PrintContext, rp: number, length: number, ipAt: number): void {
  c.out += length;
  if (!has(c, rp + CALL_PROC, 4)) {
    c.out += " [|nfs]";
    return;
  }
  enterCall(c, rp, ipAt);
  const v3 = be32(c, rp + CALL_VERS) === NFS_VER3;
  let proc = be32(c, rp + CALL_PROC);
  if (!v3 && proc < V2_PROCS) proc = V2_TO_V3[proc]!;
  c.out += " " + (PROC_NAMES.get(proc) ?? "proc-" + proc);
  if (requestArguments(c, rp, length, v3, proc) === NONE) c.out += " [|nfs]";
}

function enterCall(c: PrintContext, rp: number, ipAt: number): void {
  const version = c.bytes[ipAt]! >> 4;
  if (version !== 4 && version !== 6) return;
  const xid = be32(c, rp + XID);
  const proc = be32(c, rp + CALL_PROC);
  const vers = be32(c, rp + CALL_VERS);
  if (version === 4) c.nfs.enter(xid, 4, c.bytes, ipAt + 12, ipAt + 16, proc, vers);
  else c.nfs.enter(xid, 6, c.bytes, ipAt + 8, ipAt + 24, proc, vers);
}

/** Prints a call's arguments; NONE when they were cut short. */
function requestArguments(c: PrintContext, rp: number, length: number, v3: boolean, proc: number): number {
  const verbose = c.flags.verbose;
  let dp: number;
  switch (proc) {
    case GETATTR:
    case SETATTR:
    case READLINK:
    case FSSTAT:
    case FSINFO:
    case PATHCONF:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      return parseFileHandle(c, dp, v3);
    case LOOKUP:
    case CREATE:
    case MKDIR:
    case REMOVE:
    case RMDIR:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      return parseFileHandleAndName(c, dp, v3);
    case ACCESS:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      c.out += accessText(be32(c, dp));
      return dp;
    case READ: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      if (v3) {
        const count = be32(c, dp + 8);
        c.out += " " + count + " bytes @ " + u64(c, dp);
      } else {
        const count = be32(c, dp + 4);
        c.out += " " + count + " bytes @ " + be32(c, dp);
      }
      return dp;
    }
    case WRITE: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      if (v3) {
        const data = be32(c, dp + 16);
        const count = be32(c, dp + 8);
        c.out += " " + data + " (" + count + ") bytes @ " + u64(c, dp);
        if (verbose) {
          const mode = be32(c, dp + 12);
          c.out += " <" + (WRITE_MODES[mode] ?? "#" + (mode | 0)) + ">";
        }
      } else {
        const a = be32(c, dp + 12);
        const b = be32(c, dp + 8);
        const d = be32(c, dp + 4);
        c.out += " " + a + " (" + b + ") bytes @ " + d + " (" + be32(c, dp) + ")";
      }
      return dp;
    }
    case SYMLINK:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandleAndName(c, dp, v3);
      if (dp === NONE) return NONE;
      c.out += " ->";
      if (v3) dp = parseSattr3(c, dp);
      if (parseFileName(c, dp) === NONE) return NONE;
      if (v3 && verbose) printSattr3(c, verbose);
      return dp;
    case MKNOD: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandleAndName(c, dp, v3);
      if (dp === NONE) return NONE;
      const type = be32(c, dp);
      dp = parseSattr3(c, dp + 4);
      c.out += " " + fileTypeName(type, "unk-ft " + type);
      if (verbose && (type === TYPE_CHR || type === TYPE_BLK)) {
        const major = be32(c, dp);
        c.out += " " + major + "/" + be32(c, dp + 4);
        dp += 8;
      }
      if (verbose) printSattr3(c, verbose);
      return dp;
    }
    case RENAME:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandleAndName(c, dp, v3);
      if (dp === NONE) return NONE;
      c.out += " ->";
      return parseFileHandleAndName(c, dp, v3);
    case LINK:
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      c.out += " ->";
      return parseFileHandleAndName(c, dp, v3);
    case READDIR: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      if (v3) {
        const count = be32(c, dp + 16);
        c.out += " " + count + " bytes @ " + s64(c, dp);
        if (verbose) {
          const v1 = be32(c, dp + 8);
          c.out += " verf " + hex8(v1) + hex8(be32(c, dp + 12));
        }
      } else {
        const count = be32(c, dp + 4);
        c.out += " " + count + " bytes @ " + be32(c, dp);
      }
      return dp;
    }
    case READDIRPLUS: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      const count = be32(c, dp + 16);
      c.out += " " + count + " bytes @ " + s64(c, dp);
      if (verbose) {
        const max = be32(c, dp + 20);
        const v1 = be32(c, dp + 8);
        c.out += " max " + max + " verf " + hex8(v1) + hex8(be32(c, dp + 12));
      }
      return dp;
    }
    case COMMIT: {
      dp = parseRequest(c, rp, length);
      if (dp === NONE) return NONE;
      dp = parseFileHandle(c, dp, v3);
      if (dp === NONE) return NONE;
      const count = be32(c, dp + 8);
      c.out += " " + count + " bytes @ " + u64(c, dp);
      return dp;
    }
    default:
      return rp;
  }
}

function fileTypeName(type: number, unknown: string): string {
  if (type < FILE_TYPES.length) return FILE_TYPES[type]!;
  return type === TYPE_FIFO ? "FIFO" : unknown;
}

// --- file handles

/**
 * Prints " fh MAJOR,MINOR/INODE" as tcpdump guesses them from the layouts of old servers' handles
 * (SunOS, IRIX, Ultrix, OSF, HP-UX, BSD, VMS UCX), or " fh Unknown/HEX" when no layout fits.
 */
function printFileHandle(c: PrintContext, fh: number, words: number): void {
  const b = c.bytes;
  // The handle's bytes are all captured (the caller checked), so they are read directly.
  let layout = Layout.Unknown;
  if (words >= 4) {
    if (b[fh + 0]! === 0 && b[fh + 1]! === 0) {
      if (b[fh + 2]! === 0 && b[fh + 3]! === 0) layout = Layout.Auspex;
      else if (b[fh + 4]! !== 0 && b[fh + 5]! === 0 && b[fh + 8]! === 12 && b[fh + 9]! === 0) layout = Layout.DecOsf;
      else if (b[fh + 4]! === 0 && b[fh + 5]! === 8 && b[fh + 6]! === 0 && b[fh + 7]! === 0) layout = Layout.Irix4;
      else layout = Layout.SunOs4;
    } else if (b[fh + 2]! === 0 && b[fh + 3]! === 0) {
      if (b[fh + 6]! === 0 && b[fh + 7]! === 0) layout = Layout.Bsd44;
      else if (words >= 6 && b[fh + 21]! === 0 && b[fh + 23]! === 0) layout = Layout.Ultrix;
      else if (b[fh + 9]! === 10) layout = Layout.SunOs5;
    } else if (b[fh + 8]! === 12 && b[fh + 9]! === 0) layout = Layout.DecOsf;
    else if (b[fh + 8]! === 0 && b[fh + 9]! === 10) {
      layout =
        b[fh + 7]! === 0 && b[fh + 6]! === 0 && b[fh + 5]! === 0 && b[fh + 4]! === 0 ? Layout.HpUx9 : Layout.SunOs5;
    } else if (isVmsUcx(c, fh, words)) layout = Layout.VmsUcx;
  }

  let major = 0;
  let minor = 0;
  let inode = 0;
  switch (layout) {
    case Layout.Auspex:
      minor = b[fh + 7]!;
      major = b[fh + 6]!;
      inode = be32At(b, fh + 12);
      break;
    case Layout.Bsd44:
      minor = b[fh + 0]!;
      major = b[fh + 1]!;
      inode = le32At(b, fh + 12);
      break;
    case Layout.DecOsf: {
      const dev = le32At(b, fh + 0);
      minor = dev & 0xfffff;
      major = (dev >>> 20) & 0xfff;
      inode = le32At(b, fh + 12);
      break;
    }
    case Layout.Irix4:
      minor = b[fh + 3]!;
      major = b[fh + 2]!;
      inode = be32At(b, fh + 8);
      break;
    case Layout.SunOs4:
      minor = b[fh + 3]!;
      major = b[fh + 2]!;
      inode = be32At(b, fh + 12);
      break;
    case Layout.SunOs5:
      major = (be16At(b, fh + 0) >> 2) & 0x3fff;
      minor = be24At(b, fh + 1) & 0x3ffff;
      inode = be32At(b, fh + 12);
      break;
    case Layout.Ultrix:
      minor = b[fh + 0]!;
      major = b[fh + 1]!;
      inode = le32At(b, fh + 4);
      break;
    case Layout.HpUx9:
      major = b[fh + 0]!;
      minor = be24At(b, fh + 1);
      inode = be32At(b, fh + 12);
      break;
    case Layout.VmsUcx:
      // The file system is named by the text after the first byte; the file ID is (RVN, FidHi, FidLo).
      inode = ((b[fh + 26]! << 24) | (b[fh + 27]! << 16) | b[fh + 22]! | (b[fh + 23]! << 8)) >>> 0;
      c.out += " fh " + handleName(c, fh + 1, words) + "/" + inode;
      return;
    case Layout.Unknown: {
      let hex = "";
      for (let i = 0; i < words * 4 && i < 32; i++) hex += hex2(b[fh + i]!).toUpperCase();
      // tcpdump copies at most as many characters of the name "Unknown" as the handle has words.
      c.out += " fh " + "Unknown".slice(0, words) + "/" + hex;
      return;
    }
  }
  c.out += " fh " + major + "," + minor + "/" + inode;
}

function le32At(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}
function be32At(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}
function be24At(b: Uint8Array, i: number): number {
  return (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
}
function be16At(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

const enum Layout {
  Unknown,
  Auspex,
  DecOsf,
  Irix4,
  SunOs4,
  SunOs5,
  Ultrix,
  HpUx9,
  Bsd44,
  VmsUcx,
}

/** The server's file system name in a VMS UCX handle: up to `words` characters, to a NUL or space. */
function handleName(c: PrintContext, at: number, words: number): string {
  const n = words > V3_FH_MAX ? V3_FH_MAX : words;
  let s = "";
  for (let i = 0; i < n; i++) {
    const ch = c.bytes[at + i]!;
    if (ch === 0 || ch === 0x20) break;
    s += String.fromCharCode(ch);
  }
  return s;
}

/** A VMS UCX handle: printable text after the first byte, then only NULs, up to byte 14. */
function isVmsUcx(c: PrintContext, fh: number, words: number): boolean {
  if (words < 7) return false;
  let seenNul = false;
  for (let i = 1; i < 14; i++) {
    const ch = c.bytes[fh + i]!;
    if (ch >= 0x20 && ch <= 0x7e) {
      if (seenNul) return false;
    } else if (ch === 0) seenNul = true;
    else return false;
  }
  return true;
}

// --- replies

/** A reply's text after its addresses (tcpdump -T rpc prints them itself). */
export function nfsReplyBody(c: PrintContext, rp: number, length: number, ipAt: number): void {
  c.protocol = "nfs";
  errorPrinted = false;
  printReply(c, rp, length, ipAt);
}

function printReply(c: PrintContext, rp: number, length: number, ipAt: number): void {
  if (!has(c, rp + REPLY_STAT, 4)) {
    c.out += " [|nfs]";
    return;
  }
  const stat = be32(c, rp + REPLY_STAT);
  if (stat === 0) {
    c.out += "reply ok " + length;
    const version = c.bytes[ipAt]! >> 4;
    const xid = be32(c, rp + XID);
    const found =
      version === 4
        ? c.nfs.find(xid, 4, c.bytes, ipAt + 12, ipAt + 16)
        : version === 6 && c.nfs.find(xid, 6, c.bytes, ipAt + 8, ipAt + 24);
    if (found) interpretReply(c, rp, c.nfs.proc, c.nfs.vers, length);
  } else if (stat === 1) {
    c.out += "reply ERR " + length + ": ";
    if (!has(c, rp + REJECT_STAT, 4)) {
      c.out += " [|nfs]";
      return;
    }
    const reject = be32(c, rp + REJECT_STAT);
    if (reject === 0) {
      if (!has(c, rp + REJECT_HIGH, 4)) {
        c.out += " [|nfs]";
        return;
      }
      c.out += "RPC Version mismatch (" + be32(c, rp + REJECT_LOW) + "-" + be32(c, rp + REJECT_HIGH) + ")";
    } else if (reject === 1) {
      if (!has(c, rp + REJECT_WHY, 4)) {
        c.out += " [|nfs]";
        return;
      }
      const why = be32(c, rp + REJECT_WHY);
      c.out += "Auth " + (AUTH_ERRORS[why] ?? "Invalid failure code " + why);
    } else c.out += "Unknown reason for rejecting rpc message " + reject;
  } else c.out += "reply Unknown rpc response code=" + stat + " " + length;
}

/** Where an accepted reply's results start; NONE when cut short or the call failed (printed). */
function parseReply(c: PrintContext, rp: number, length: number): number {
  let dp = rp + REPLY_STAT + 4;
  const len = be32(c, dp + 4);
  if (len >= length) return NONE;
  dp += Math.floor((len + 11) / 4) * 4;
  const accept = be32(c, dp);
  if (accept !== 0) {
    c.out += " " + (ACCEPT_ERRORS[accept] || "ar_stat " + accept);
    errorPrinted = true;
    return NONE;
  }
  return dp + 4;
}

/** Reads the status word; prints the error unless it is 0. */
let status = 0;
function parseStatus(c: PrintContext, dp: number): number {
  status = be32(c, dp);
  if (status !== 0) {
    if (!c.flags.quick) c.out += " ERROR: " + (STATUS_NAMES.get(status) ?? "unk " + status);
    errorPrinted = true;
  }
  return dp + 4;
}

function parseFattr(c: PrintContext, dp: number, verbose: number, v3: boolean): number {
  if (!has(c, dp + 16, 4)) return NONE;
  if (verbose) {
    const type = be32(c, dp);
    const mode = be32(c, dp + 4);
    const uid = be32(c, dp + 12) | 0;
    const gid = be32(c, dp + 16) | 0;
    c.out += " " + fileTypeName(type, "unk-ft " + type + " ") + " " + mode.toString(8) + " ids " + uid + "/" + gid;
    c.out += " sz " + (v3 ? u64(c, dp + 20) : be32(c, dp + 20));
  }
  if (verbose > 1) {
    if (v3) {
      if (!has(c, dp + 76, 8)) return NONE;
      c.out += " nlink " + be32(c, dp + 8) + " rdev " + be32(c, dp + 36) + "/" + be32(c, dp + 40);
      c.out += " fsid " + x64(c, dp + 44);
      c.out += " fileid " + x64(c, dp + 52);
      c.out += " a/m/ctime " + time(c, dp + 60);
      c.out += " " + time(c, dp + 68);
      c.out += " " + time(c, dp + 76);
    } else {
      if (!has(c, dp + 60, 8)) return NONE;
      c.out +=
        " nlink " +
        be32(c, dp + 8) +
        " rdev 0x" +
        be32(c, dp + 28).toString(16) +
        " fsid 0x" +
        be32(c, dp + 36).toString(16) +
        " nodeid 0x" +
        be32(c, dp + 40).toString(16) +
        " a/m/ctime";
      c.out += " " + time(c, dp + 44);
      c.out += " " + time(c, dp + 52);
      c.out += " " + time(c, dp + 60);
    }
  }
  return dp + (v3 ? V3_FATTR : V2_FATTR);
}

function parseAttrStat(c: PrintContext, dp: number, verbose: number, v3: boolean): number {
  dp = parseStatus(c, dp);
  if (status) return dp;
  return parseFattr(c, dp, verbose, v3);
}

function parseDirOpRes(c: PrintContext, dp: number): number {
  dp = parseStatus(c, dp);
  if (status) return dp;
  dp = parseFileHandle(c, dp, false);
  if (dp === NONE) return NONE;
  return parseFattr(c, dp, c.flags.verbose, false);
}

function parseLinkRes(c: PrintContext, dp: number, v3: boolean): number {
  dp = parseStatus(c, dp);
  if (status) return dp;
  if (v3) {
    dp = parsePostOpAttr(c, dp, c.flags.verbose);
    if (dp === NONE) return NONE;
  }
  c.out += " ";
  return parseFileName(c, dp);
}

function parseStatfs(c: PrintContext, dp: number, v3: boolean): number {
  dp = parseStatus(c, dp);
  if (!v3 && status) return dp;
  if (c.flags.quick) return dp;
  const verbose = c.flags.verbose;
  if (v3) {
    if (verbose) c.out += " POST:";
    dp = parsePostOpAttr(c, dp, verbose);
    if (dp === NONE) return NONE;
  }
  if (!has(c, dp, v3 ? V3_STATFS : V2_STATFS)) return NONE;
  if (v3) {
    c.out += " tbytes " + u64(c, dp) + " fbytes " + u64(c, dp + 8) + " abytes " + u64(c, dp + 16);
    if (verbose) {
      c.out +=
        " tfiles " +
        u64(c, dp + 24) +
        " ffiles " +
        u64(c, dp + 32) +
        " afiles " +
        u64(c, dp + 40) +
        " invar " +
        be32(c, dp + 48);
    }
  } else {
    c.out +=
      " tsize " +
      be32(c, dp) +
      " bsize " +
      be32(c, dp + 4) +
      " blocks " +
      be32(c, dp + 8) +
      " bfree " +
      be32(c, dp + 12) +
      " bavail " +
      be32(c, dp + 16);
  }
  return dp;
}

function parseReadDirRes(c: PrintContext, dp: number): number {
  dp = parseStatus(c, dp);
  if (status) return dp;
  if (c.flags.quick) return dp;
  const offset = be32(c, dp);
  const size = be32(c, dp + 4);
  c.out += " offset 0x" + offset.toString(16) + " size " + size + " ";
  if (be32(c, dp + 8) !== 0) c.out += " eof";
  return dp;
}

function parseWccAttr(c: PrintContext, dp: number): number {
  c.out += " sz " + u64(c, dp);
  const mtime = time(c, dp + 8);
  c.out += " mtime " + mtime + " ctime " + time(c, dp + 16);
  return dp + 24;
}

function parsePreOpAttr(c: PrintContext, dp: number, verbose: number): number {
  if (!be32(c, dp)) return dp + 4;
  dp += 4;
  if (!has(c, dp, 24)) return NONE;
  return verbose > 1 ? parseWccAttr(c, dp) : dp + 24;
}

function parsePostOpAttr(c: PrintContext, dp: number, verbose: number): number {
  if (!be32(c, dp)) return dp + 4;
  dp += 4;
  return verbose ? parseFattr(c, dp, verbose, true) : dp + V3_FATTR;
}

function parseWccData(c: PrintContext, dp: number, verbose: number): number {
  if (verbose > 1) c.out += " PRE:";
  dp = parsePreOpAttr(c, dp, verbose);
  if (dp === NONE) return NONE;
  if (verbose) c.out += " POST:";
  return parsePostOpAttr(c, dp, verbose);
}

function parseCreateOpRes(c: PrintContext, dp: number, verbose: number): number {
  dp = parseStatus(c, dp);
  if (status) return parseWccData(c, dp, verbose);
  if (!be32(c, dp)) return dp + 4;
  dp = parseFileHandle(c, dp + 4, true);
  if (dp === NONE) return NONE;
  if (verbose) {
    dp = parsePostOpAttr(c, dp, verbose);
    if (dp === NONE) return NONE;
    if (c.flags.verbose > 1) {
      c.out += " dir attr:";
      dp = parseWccData(c, dp, verbose);
    }
  }
  return dp;
}

function parseWccRes(c: PrintContext, dp: number, verbose: number): number {
  dp = parseStatus(c, dp);
  return parseWccData(c, dp, verbose);
}

function parseV3ReadDirRes(c: PrintContext, dp: number, verbose: number): number {
  dp = parseStatus(c, dp);
  if (c.flags.verbose) c.out += " POST:";
  dp = parsePostOpAttr(c, dp, verbose);
  if (dp === NONE || status) return dp;
  if (c.flags.verbose) {
    const v1 = be32(c, dp);
    c.out += " verf " + hex8(v1) + hex8(be32(c, dp + 4));
    dp += 8;
  }
  return dp;
}

function parseFsInfo(c: PrintContext, dp: number): number {
  dp = parseStatus(c, dp);
  const verbose = c.flags.verbose;
  if (verbose) c.out += " POST:";
  dp = parsePostOpAttr(c, dp, verbose);
  if (dp === NONE || status) return dp;
  if (!has(c, dp, V3_FSINFO)) return NONE;
  c.out +=
    " rtmax " +
    be32(c, dp) +
    " rtpref " +
    be32(c, dp + 4) +
    " wtmax " +
    be32(c, dp + 12) +
    " wtpref " +
    be32(c, dp + 16) +
    " dtpref " +
    be32(c, dp + 24);
  if (verbose) {
    c.out += " rtmult " + be32(c, dp + 8) + " wtmult " + be32(c, dp + 20) + " maxfsz " + u64(c, dp + 28);
    c.out += " delta " + time(c, dp + 36) + " ";
  }
  return dp;
}

function parsePathconf(c: PrintContext, dp: number): number {
  dp = parseStatus(c, dp);
  const verbose = c.flags.verbose;
  if (verbose) c.out += " POST:";
  dp = parsePostOpAttr(c, dp, verbose);
  if (dp === NONE || status) return dp;
  if (!has(c, dp, V3_PATHCONF)) return NONE;
  c.out +=
    " linkmax " +
    be32(c, dp) +
    " namemax " +
    be32(c, dp + 4) +
    " " +
    (be32(c, dp + 8) ? "notrunc" : "") +
    " " +
    (be32(c, dp + 12) ? "chownres" : "") +
    " " +
    (be32(c, dp + 16) ? "igncase" : "") +
    " " +
    (be32(c, dp + 20) ? "keepcase" : "");
  return dp;
}

function interpretReply(c: PrintContext, rp: number, proc: number, vers: number, length: number): void {
  const v3 = vers === NFS_VER3;
  if (!v3 && proc < V2_PROCS) proc = V2_TO_V3[proc]!;
  c.out += " " + (PROC_NAMES.get(proc) ?? "proc-" + proc);
  if (replyResults(c, rp, proc, v3, length) === NONE && !errorPrinted) c.out += " [|nfs]";
}

/** Prints a reply's results; NONE when they were cut short. */
function replyResults(c: PrintContext, rp: number, proc: number, v3: boolean, length: number): number {
  const verbose = c.flags.verbose;
  const quick = c.flags.quick > 0;
  if (proc < GETATTR || proc > COMMIT) return rp;
  let dp = parseReply(c, rp, length);
  if (dp === NONE) return NONE;
  switch (proc) {
    case GETATTR:
      return parseAttrStat(c, dp, quick ? 0 : 1, v3);
    case SETATTR:
      return v3 ? parseWccRes(c, dp, verbose) : parseAttrStat(c, dp, quick ? 0 : 1, false);
    case LOOKUP:
      if (!v3) return parseDirOpRes(c, dp);
      dp = parseStatus(c, dp);
      if (!status) {
        dp = parseFileHandle(c, dp, true);
        if (dp === NONE) return NONE;
        dp = parsePostOpAttr(c, dp, verbose);
        if (dp === NONE) return NONE;
      }
      if (verbose > 1) {
        c.out += " post dattr:";
        dp = parsePostOpAttr(c, dp, verbose);
      }
      return dp;
    case ACCESS:
      dp = parseStatus(c, dp);
      if (verbose) c.out += " attr:";
      dp = parsePostOpAttr(c, dp, verbose);
      if (dp === NONE) return NONE;
      if (!status) c.out += " c " + hex4(be32(c, dp));
      return dp;
    case READLINK:
      return parseLinkRes(c, dp, v3);
    case READ:
      if (!v3) return parseAttrStat(c, dp, verbose, false);
      dp = parseStatus(c, dp);
      dp = parsePostOpAttr(c, dp, verbose);
      if (dp === NONE) return NONE;
      if (!status && verbose) {
        c.out += " " + be32(c, dp) + " bytes";
        if (be32(c, dp + 4)) c.out += " EOF";
      }
      return dp;
    case WRITE:
      if (!v3) return parseAttrStat(c, dp, verbose, false);
      dp = parseStatus(c, dp);
      dp = parseWccData(c, dp, verbose);
      if (dp === NONE) return NONE;
      if (!status && verbose) {
        c.out += " " + be32(c, dp) + " bytes";
        if (verbose > 1) {
          const mode = be32(c, dp + 4);
          c.out += " <" + (WRITE_MODES[mode] ?? "#" + (mode | 0)) + ">";
          c.out += " verf " + x64(c, dp + 8);
        }
      }
      return dp;
    case CREATE:
    case MKDIR:
      return v3 ? parseCreateOpRes(c, dp, verbose) : parseDirOpRes(c, dp);
    case SYMLINK:
      return v3 ? parseCreateOpRes(c, dp, verbose) : parseStatus(c, dp);
    case MKNOD:
      return parseCreateOpRes(c, dp, verbose);
    case REMOVE:
    case RMDIR:
      return v3 ? parseWccRes(c, dp, verbose) : parseStatus(c, dp);
    case RENAME:
      if (!v3) return parseStatus(c, dp);
      dp = parseStatus(c, dp);
      if (verbose) {
        c.out += " from:";
        dp = parseWccData(c, dp, verbose);
        if (dp === NONE) return NONE;
        c.out += " to:";
        dp = parseWccData(c, dp, verbose);
      }
      return dp;
    case LINK:
      if (!v3) return parseStatus(c, dp);
      dp = parseStatus(c, dp);
      if (verbose) {
        c.out += " file POST:";
        dp = parsePostOpAttr(c, dp, verbose);
        if (dp === NONE) return NONE;
        c.out += " dir:";
        dp = parseWccData(c, dp, verbose);
      }
      return dp;
    case READDIR:
      return v3 ? parseV3ReadDirRes(c, dp, verbose) : parseReadDirRes(c, dp);
    case READDIRPLUS:
      return parseV3ReadDirRes(c, dp, verbose);
    case FSSTAT:
      return parseStatfs(c, dp, v3);
    case FSINFO:
      return parseFsInfo(c, dp);
    case PATHCONF:
      return parsePathconf(c, dp);
    case COMMIT:
      dp = parseWccRes(c, dp, verbose);
      if (dp === NONE) return NONE;
      if (verbose > 1) c.out += " verf " + x64(c, dp);
      return dp;
    default:
      return dp;
  }
}
