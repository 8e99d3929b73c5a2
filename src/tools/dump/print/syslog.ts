// Syslog (RFC 3164, RFC 5424): the priority as facility.severity, with -v the message, with -vv
// also its bytes in hex.

import { u8, type PrintContext } from "./context.js";
import { printCountedText, printUnknownData } from "./unknown.js";

const MAX_PRIORITY_DIGITS = 3;
const SEVERITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"];
const FACILITIES = [
  "kernel",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
];

export function syslogPrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "syslog";
  let off = 0;
  if (u8(c, at) !== 0x3c /* < */) {
    c.out += " (invalid)";
    return;
  }
  off++;
  let priority = 0;
  while (off <= MAX_PRIORITY_DIGITS && u8(c, at + off) >= 0x30 && u8(c, at + off) <= 0x39) {
    priority = priority * 10 + (u8(c, at + off) - 0x30);
    off++;
  }
  if (u8(c, at + off) !== 0x3e /* > */) {
    c.out += " (invalid)";
    return;
  }
  off++;
  const facility = (priority & 0x3f8) >> 3;
  const severity = priority & 0x7;
  const facilityName = FACILITIES[facility] ?? "unknown (" + facility + ")";
  const severityName = SEVERITIES[severity]!;
  if (c.flags.verbose < 1) {
    c.out += "SYSLOG " + facilityName + "." + severityName + ", length: " + length;
    return;
  }
  c.out +=
    "SYSLOG, length: " +
    length +
    "\n\tFacility " +
    facilityName +
    " (" +
    facility +
    "), Severity " +
    severityName +
    " (" +
    severity +
    ")\n\tMsg: ";
  // The whole message as sent, control characters included (escaped).
  printCountedText(c, at + off, length - off);
  if (c.flags.verbose > 1) printUnknownData(c, at, "\n\t", length);
}
