// Line-oriented text protocols as tcpdump prints them: HTTP and RTSP (a request or status line),
// FTP, SMTP and WHOIS (any line). Without -v the protocol name and the first line; with -v the
// payload's length and every line up to the first that is not printable text.

import { u8, type PrintContext } from "./context.js";

const HTTP_METHODS = [
  "GET",
  "PUT",
  "COPY",
  "HEAD",
  "LOCK",
  "MOVE",
  "POLL",
  "POST",
  "BCOPY",
  "BMOVE",
  "MKCOL",
  "TRACE",
  "LABEL",
  "MERGE",
  "DELETE",
  "SEARCH",
  "UNLOCK",
  "REPORT",
  "UPDATE",
  "NOTIFY",
  "BDELETE",
  "CONNECT",
  "OPTIONS",
  "CHECKIN",
  "PROPFIND",
  "CHECKOUT",
  "CCM_POST",
  "SUBSCRIBE",
  "PROPPATCH",
  "BPROPFIND",
  "BPROPPATCH",
  "UNCHECKOUT",
  "MKACTIVITY",
  "MKWORKSPACE",
  "UNSUBSCRIBE",
  "RPC_CONNECT",
  "VERSION-CONTROL",
  "BASELINE-CONTROL",
];
const RTSP_METHODS = [
  "DESCRIBE",
  "ANNOUNCE",
  "GET_PARAMETER",
  "OPTIONS",
  "PAUSE",
  "PLAY",
  "RECORD",
  "REDIRECT",
  "SETUP",
  "SET_PARAMETER",
  "TEARDOWN",
];
/** tcpdump's token buffer holds 127 characters. */
const MAX_TOKEN = 127;

const isPrintable = (ch: number): boolean => ch >= 0x20 && ch <= 0x7e;

/** The token at `idx` and the index after the blanks that follow it; undefined when there is none. */
function fetchToken(c: PrintContext, at: number, idx: number, len: number): [string, number] | undefined {
  let token = "";
  for (; idx < len; idx++) {
    if (at + idx >= c.snapend) return undefined;
    const ch = c.bytes[at + idx]!;
    if (ch > 0x7f) return undefined;
    if (ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a) break;
    if (!isPrintable(ch)) return undefined;
    if (token.length >= MAX_TOKEN) return undefined;
    token += String.fromCharCode(ch);
  }
  if (token === "") return undefined;
  for (; idx < len; idx++) {
    if (at + idx >= c.snapend) break;
    const ch = c.bytes[at + idx]!;
    if (ch === 0x0d || ch === 0x0a || !isPrintable(ch) || (ch !== 0x20 && ch !== 0x09)) break;
  }
  return [token, idx];
}

/** Prints the text line at `idx` after `prefix`; returns the index after its end, or 0 to stop. */
function printLine(c: PrintContext, prefix: string, at: number, idx: number, len: number): number {
  const start = idx;
  let end: number;
  let next: number;
  for (;;) {
    if (idx >= len) {
      // Printable text without a line end: shown, then marked cut short.
      c.out += prefix + String.fromCharCode(...c.bytes.subarray(at + start, at + idx)) + " [|" + c.protocol + "]";
      return 0;
    }
    const ch = u8(c, at + idx);
    if (ch === 0x0a) {
      end = idx;
      next = idx + 1;
      break;
    }
    if (ch === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (u8(c, at + idx + 1) !== 0x0a) return 0;
      end = idx;
      next = idx + 2;
      break;
    }
    if (!isPrintable(ch) && ch !== 0x09) return 0;
    idx++;
  }
  c.out += prefix + String.fromCharCode(...c.bytes.subarray(at + start, at + end));
  return next;
}

function textPrint(c: PrintContext, at: number, len: number, methods: string[] | undefined): void {
  let printThis = methods === undefined;
  if (methods !== undefined) {
    const first = fetchToken(c, at, 0, len);
    if (first !== undefined) {
      const upper = first[0].toUpperCase();
      if (methods.includes(upper)) printThis = true;
      // A status line's code is its second token.
      const second = fetchToken(c, at, first[1], len);
      if (second !== undefined && /^\d{3}$/.test(second[0])) printThis = true;
    }
  }
  c.out += c.protocol.toUpperCase();
  if (!printThis) return;
  if (c.flags.verbose) {
    c.out += ", length: " + len;
    for (let idx = 0; idx < len; ) {
      const eol = printLine(c, "\n\t", at, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else printLine(c, ": ", at, 0, len);
}

function textProtocol(name: string, methods?: string[]) {
  return (c: PrintContext, at: number, length: number): void => {
    c.protocol = name;
    c.out += ": ";
    textPrint(c, at, length, methods);
  };
}

export const httpPrint = textProtocol("http", HTTP_METHODS);
export const rtspPrint = textProtocol("rtsp", RTSP_METHODS);
export const ftpPrint = textProtocol("ftp");
export const smtpPrint = textProtocol("smtp");
export const whoisPrint = textProtocol("whois");
