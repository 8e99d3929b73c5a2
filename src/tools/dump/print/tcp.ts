// TCP (RFC 9293): "src.port > dst.port: Flags [S.], seq 1:101, ack 1, win 502, options [mss
// 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 100", sequence numbers relative to the
// connection's first seen values, checksums with -v, reset data with -v.

import {
  be16,
  be32,
  finishChecksum,
  has,
  onesComplementSum,
  checksumShouldBe,
  printInvalid,
  pushSnaplen,
  u8,
  TRUNCATED,
  type PrintContext,
} from "./context.js";
import { hex2, ipv4String, ipv6String, tcpPortString } from "./addr.js";
import { decimal } from "./decimal.js";
import { ipv4PseudoSum, ipv6PseudoSum } from "./pseudo-header.js";
import { printableChar } from "./unknown.js";
import { applicationFor, TCP_APPLICATIONS } from "./applications.js";
import { mptcpPrint } from "./mptcp.js";
import { nfsPrint } from "./nfs.js";

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;
const TH_URG = 0x20;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MAXSEG = 2;
const OPT_WSCALE = 3;
const OPT_SACKOK = 4;
const OPT_SACK = 5;
const OPT_ECHO = 6;
const OPT_ECHOREPLY = 7;
const OPT_TIMESTAMP = 8;
const OPT_CC = 11;
const OPT_CCNEW = 12;
const OPT_CCECHO = 13;
const OPT_SIGNATURE = 19;
const OPT_SCPS = 20;
const OPT_UTO = 28;
const OPT_TCPAO = 29;
const OPT_MPTCP = 30;
const OPT_FASTOPEN = 34;
const OPT_EXPERIMENT2 = 254;
const SIGNATURE_LENGTH = 16;
const MAX_RST_DATA_LEN = 30;

const OPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [OPT_EOL, "eol"],
  [OPT_NOP, "nop"],
  [OPT_MAXSEG, "mss"],
  [OPT_WSCALE, "wscale"],
  [OPT_SACKOK, "sackOK"],
  [OPT_SACK, "sack"],
  [OPT_ECHO, "echo"],
  [OPT_ECHOREPLY, "echoreply"],
  [OPT_TIMESTAMP, "TS"],
  [OPT_CC, "cc"],
  [OPT_CCNEW, "ccnew"],
  [OPT_CCECHO, ""],
  [OPT_SIGNATURE, "md5"],
  [OPT_SCPS, "scps"],
  [OPT_UTO, "uto"],
  [OPT_TCPAO, "tcp-ao"],
  [OPT_MPTCP, "mptcp"],
  [OPT_FASTOPEN, "tfo"],
  [OPT_EXPERIMENT2, "exp"],
]);

/** Flag letters in tcpdump's order: F S R P . U E W. */
const FLAG_LETTERS = ["F", "S", "R", "P", ".", "U", "E", "W"];
const FLAG_STRINGS: string[] = Array.from({ length: 256 }, (_, flags) => {
  let s = "";
  for (let bit = 0; bit < 8; bit++) if (flags & (1 << bit)) s += FLAG_LETTERS[bit];
  return s || "none";
});

const NFS_PORT = 2049;
const RPC_CALL = 0;
const RPC_REPLY = 1;

/** Signals tcpdump's "goto trunc" / "goto bad" inside the option loop. */
const OPTION_TRUNC = { option: "trunc" };
const OPTION_BAD = { option: "bad" };

function compareBytes(b: Uint8Array, a1: number, a2: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const d = b[a1 + i]! - b[a2 + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** tcpdump's LENCHECK: the option's data must fit the header and the capture. */
function lenCheck(c: PrintContext, cp: number, hlen: number, l: number): void {
  if (l > hlen) throw OPTION_BAD;
  if (!has(c, cp, l)) throw OPTION_TRUNC;
}

function hexBytes(c: PrintContext, at: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += hex2(u8(c, at + i));
  return s;
}

function fastOpen(c: PrintContext, at: number, datalen: number, experimental: boolean): void {
  if (experimental) c.out += "tfo";
  if (datalen === 0) c.out += " cookiereq";
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) printInvalid(c);
  else c.out += " cookie " + hexBytes(c, at, datalen);
}

export function tcpPrint(c: PrintContext, at: number, length: number, ipAt: number, fragmented: boolean): void {
  c.protocol = "tcp";
  const v6 = u8(c, ipAt) >> 4 === 6;
  if (!has(c, at + 2, 2)) {
    c.out += v6
      ? ipv6String(c, ipAt + 8) + " > " + ipv6String(c, ipAt + 24) + ":"
      : ipv4String(c, ipAt + 12) + " > " + ipv4String(c, ipAt + 16) + ":";
    c.out += " [|tcp]";
    return;
  }
  const sport = be16(c, at);
  const dport = be16(c, at + 2);
  if (v6) {
    if (u8(c, ipAt + 6) === 6) {
      c.out +=
        ipv6String(c, ipAt + 8) +
        "." +
        tcpPortString(c, sport) +
        " > " +
        ipv6String(c, ipAt + 24) +
        "." +
        tcpPortString(c, dport) +
        ": ";
    } else c.out += tcpPortString(c, sport) + " > " + tcpPortString(c, dport) + ": ";
  } else {
    if (u8(c, ipAt + 9) === 6) {
      c.out +=
        ipv4String(c, ipAt + 12) +
        "." +
        tcpPortString(c, sport) +
        " > " +
        ipv4String(c, ipAt + 16) +
        "." +
        tcpPortString(c, dport) +
        ": ";
    } else c.out += tcpPortString(c, sport) + " > " + tcpPortString(c, dport) + ": ";
  }

  if (!has(c, at, 20)) {
    c.out += " [|tcp]";
    return;
  }
  let hlen = (u8(c, at + 12) >> 4) * 4;
  if (hlen < 20) {
    c.out += " tcp " + ((length - hlen) >>> 0) + " [bad hdr length " + hlen + " - too short, < 20]";
    return;
  }
  let seq = be32(c, at + 4);
  let ack = be32(c, at + 8);
  const win = be16(c, at + 14);
  const urp = be16(c, at + 18);

  if (c.flags.quick) {
    c.out += "tcp " + ((length - hlen) >>> 0);
    if (hlen > length) c.out += " [bad hdr length " + hlen + " - too long, > " + length + "]";
    return;
  }

  const flags = u8(c, at + 13);
  c.out += "Flags [" + FLAG_STRINGS[flags] + "]";

  let thseq = 0;
  let thack = 0;
  let rev = false;
  if (!c.flags.absoluteSequence && flags & TH_ACK) {
    const addrLen = v6 ? 16 : 4;
    const srcAt = v6 ? ipAt + 8 : ipAt + 12;
    const dstAt = srcAt + addrLen;
    if (sport > dport) rev = true;
    else if (sport === dport && compareBytes(c.bytes, srcAt, dstAt, addrLen) > 0) rev = true;
    const ports = rev ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    const canonSrc = rev ? dstAt : srcAt;
    const canonDst = rev ? srcAt : dstAt;
    let conn = c.tcp.find(c.bytes, canonSrc, canonDst, addrLen, ports);
    if (conn === undefined || flags & TH_SYN) {
      conn ??= c.tcp.add(c.bytes, canonSrc, canonDst, addrLen, ports);
      if (rev) {
        conn.ack = seq;
        conn.seq = (ack - 1) >>> 0;
      } else {
        conn.seq = seq;
        conn.ack = (ack - 1) >>> 0;
      }
    } else if (rev) {
      seq = (seq - conn.ack) >>> 0;
      ack = (ack - conn.seq) >>> 0;
    } else {
      seq = (seq - conn.seq) >>> 0;
      ack = (ack - conn.ack) >>> 0;
    }
    thseq = conn.seq;
    thack = conn.ack;
  }

  if (hlen > length) {
    c.out += " [bad hdr length " + hlen + " - too long, > " + length + "]";
    return;
  }

  if (c.flags.verbose && !c.flags.noChecksums && !fragmented) {
    if (has(c, at, length)) {
      const pseudo = v6 ? ipv6PseudoSum(c, ipAt, length, 6) : ipv4PseudoSum(c, ipAt, length, 6);
      const sum = finishChecksum(onesComplementSum(c, at, length, pseudo));
      const stored = be16(c, at + 16);
      c.out += ", cksum 0x" + stored.toString(16).padStart(4, "0");
      if (sum !== 0) c.out += " (incorrect -> 0x" + checksumShouldBe(stored, sum).toString(16).padStart(4, "0") + ")";
      else c.out += " (correct)";
    }
  }

  length -= hlen;
  if (c.flags.verbose > 1 || length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    c.out += ", seq " + decimal(seq);
    if (length > 0) c.out += ":" + decimal((seq + length) >>> 0);
  }
  if (flags & TH_ACK) c.out += ", ack " + decimal(ack);
  c.out += ", win " + decimal(win);
  if (flags & TH_URG) c.out += ", urg " + urp;

  if (hlen > 20) {
    let ch = "";
    try {
      hlen -= 20;
      let cp = at + 20;
      c.out += ", options [";
      while (hlen > 0) {
        c.out += ch;
        const opt = u8(c, cp);
        cp++;
        let len: number;
        const zeroLength = opt === OPT_EOL || opt === OPT_NOP;
        if (zeroLength) len = 1;
        else {
          len = u8(c, cp);
          cp++;
          if (len < 2 || len > hlen) throw OPTION_BAD;
          --hlen;
        }
        --hlen;
        let datalen = 0;
        c.out += OPTION_NAMES.get(opt) ?? "unknown-" + opt;
        switch (opt) {
          case OPT_MAXSEG:
            datalen = 2;
            lenCheck(c, cp, hlen, datalen);
            c.out += " " + be16(c, cp);
            break;
          case OPT_WSCALE:
            datalen = 1;
            lenCheck(c, cp, hlen, datalen);
            c.out += " " + u8(c, cp);
            break;
          case OPT_SACK:
            datalen = len - 2;
            if (datalen % 8 !== 0) c.out += " invalid sack";
            else {
              c.out += " " + datalen / 8 + " ";
              for (let i = 0; i < datalen; i += 8) {
                lenCheck(c, cp, hlen, i + 4);
                let s = be32(c, cp + i);
                lenCheck(c, cp, hlen, i + 8);
                let e = be32(c, cp + i + 4);
                if (rev) {
                  s = (s - thseq) >>> 0;
                  e = (e - thseq) >>> 0;
                } else {
                  s = (s - thack) >>> 0;
                  e = (e - thack) >>> 0;
                }
                c.out += "{" + decimal(s) + ":" + decimal(e) + "}";
              }
            }
            break;
          case OPT_CC:
          case OPT_CCNEW:
          case OPT_CCECHO:
          case OPT_ECHO:
          case OPT_ECHOREPLY:
            datalen = 4;
            lenCheck(c, cp, hlen, datalen);
            c.out += " " + be32(c, cp);
            break;
          case OPT_TIMESTAMP:
            datalen = 8;
            lenCheck(c, cp, hlen, datalen);
            c.out += " val " + decimal(be32(c, cp)) + " ecr " + decimal(be32(c, cp + 4));
            break;
          case OPT_SIGNATURE: {
            datalen = SIGNATURE_LENGTH;
            lenCheck(c, cp, hlen, datalen);
            c.out += " ";
            // tcpdump (built with libcrypto) explains why it cannot verify, then shows the digest.
            const dataAt = at + (u8(c, at + 12) >> 4) * 4;
            if (dataAt + length > c.snapend) c.out += "snaplen too short, ";
            else c.out += "shared secret not supplied with -M, ";
            c.out += "can't check - " + hexBytes(c, cp, SIGNATURE_LENGTH);
            break;
          }
          case OPT_SCPS:
            datalen = 2;
            lenCheck(c, cp, hlen, datalen);
            c.out += " cap " + hex2(u8(c, cp)) + " id " + u8(c, cp + 1);
            break;
          case OPT_TCPAO:
            datalen = len - 2;
            if (datalen < 2) printInvalid(c);
            else {
              lenCheck(c, cp, hlen, 1);
              c.out += " keyid " + u8(c, cp);
              lenCheck(c, cp, hlen, 2);
              c.out += " rnextkeyid " + u8(c, cp + 1);
              if (datalen > 2) {
                c.out += " mac 0x";
                for (let i = 2; i < datalen; i++) {
                  lenCheck(c, cp, hlen, i + 1);
                  c.out += hex2(u8(c, cp + i));
                }
              }
            }
            break;
          case OPT_EOL:
          case OPT_NOP:
          case OPT_SACKOK:
            break;
          case OPT_UTO: {
            datalen = 2;
            lenCheck(c, cp, hlen, datalen);
            let uto = be16(c, cp);
            c.out += " 0x" + uto.toString(16);
            if (uto & 1) uto = (uto >> 1) * 60;
            else uto >>= 1;
            c.out += " " + uto;
            break;
          }
          case OPT_MPTCP: {
            datalen = len - 2;
            lenCheck(c, cp, hlen, datalen);
            // The option's decoder must not read into the options after it.
            const saved = pushSnaplen(c, cp - 2, len);
            const fits = mptcpPrint(c, cp - 2, len, flags);
            c.snapend = saved;
            if (!fits) throw OPTION_BAD;
            break;
          }
          case OPT_FASTOPEN:
            datalen = len - 2;
            lenCheck(c, cp, hlen, datalen);
            c.out += " ";
            fastOpen(c, cp, datalen, false);
            break;
          case OPT_EXPERIMENT2: {
            datalen = len - 2;
            lenCheck(c, cp, hlen, datalen);
            if (datalen < 2) throw OPTION_BAD;
            const magic = be16(c, cp);
            c.out += "-";
            if (magic === 0xf989) fastOpen(c, cp + 2, datalen - 2, true);
            else c.out += magic.toString(16).padStart(4, "0");
            break;
          }
          default:
            datalen = len - 2;
            if (datalen) c.out += " 0x";
            for (let i = 0; i < datalen; ++i) {
              lenCheck(c, cp, hlen, i + 1);
              c.out += hex2(u8(c, cp + i));
            }
        }
        cp += datalen;
        hlen -= datalen;
        ++datalen;
        if (!zeroLength) ++datalen;
        if (datalen !== len) c.out += "[len " + len + "]";
        ch = ",";
        if (opt === OPT_EOL) break;
      }
      c.out += "]";
    } catch (e) {
      if (e === OPTION_BAD) {
        c.out += "[bad opt]";
        if (ch !== "") c.out += "]";
        return;
      }
      if (e === OPTION_TRUNC) {
        // tcpdump names the protocol last being decoded: "mptcp" after an MPTCP option.
        c.out += " [|" + c.protocol + "]";
        if (ch !== "") c.out += ">";
        return;
      }
      throw e;
    }
  }

  c.out += ", length " + decimal(length);
  if (length === 0) return;

  const headerLen = (u8(c, at + 12) >> 4) * 4;
  if (!has(c, at, headerLen)) {
    c.out += " [remaining caplen(" + (c.snapend > at ? c.snapend - at : 0) + ") < header length(" + headerLen + ")]";
    throw TRUNCATED;
  }
  const dataAt = at + headerLen;
  if (flags & TH_RST && c.flags.verbose) {
    printResetData(c, dataAt, length);
    return;
  }
  // tcpdump -T rpc names no TCP payload type: it decodes none.
  if (c.flags.rpc) return;
  const app = applicationFor(TCP_APPLICATIONS, sport, dport);
  if (app?.print) app.print(c, dataAt, length, sport, dport, ipAt);
  else if (app) c.markUnsupported("tcp " + app.name);
  else if ((sport === NFS_PORT || dport === NFS_PORT) && length >= 4 && has(c, dataAt, 4)) {
    // Sun RPC over TCP: a record mark (last-fragment bit and length) before the message.
    let fragment = be32(c, dataAt) & 0x7fffffff;
    if (fragment > length - 4) fragment = length - 4;
    const rp = dataAt + 4;
    if (has(c, rp + 4, 4)) {
      const direction = be32(c, rp + 4);
      if ((dport === NFS_PORT && direction === RPC_CALL) || (sport === NFS_PORT && direction === RPC_REPLY)) {
        c.out += ": ";
        nfsPrint(c, rp, fragment, ipAt, direction === RPC_CALL);
      }
    }
  }
}

/** Text a reset carries (RFC 1122 4.2.2.12), at most 30 bytes. */
function printResetData(c: PrintContext, at: number, length: number): void {
  c.out += has(c, at, length) ? " [RST" : " [!RST";
  if (length > MAX_RST_DATA_LEN) {
    length = MAX_RST_DATA_LEN;
    c.out += "+";
  }
  c.out += " ";
  while (length && at < c.snapend) {
    c.out += printableChar(u8(c, at));
    at++;
    length--;
  }
  c.out += "]";
}
