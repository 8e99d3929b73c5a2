// ATA over Ethernet (EtherType 0x88a2) as tcpdump prints it: "AoE length 46, Ver 1,
// Flags: [Response]"; with -v the common header (error, major/minor, command, tag) and the
// argument of each of the four version 1 commands.

import { be16, be32, check, printInvalidRest, u8, type PrintContext } from "./context.js";
import { hex2, hex4, macString } from "./addr.js";
import { printCountedText } from "./unknown.js";
import { flagNames } from "./names.js";

const COMMON_HEADER_LENGTH = 10;
const FLAG_ERROR = 0x04;
const FLAGS: [number, string][] = [
  [0x08, "Response"],
  [FLAG_ERROR, "Error"],
  [0x02, "MBZ-1"],
  [0x01, "MBZ-0"],
];
const ATA_FLAGS: [number, string][] = [
  [0x80, "MBZ-7"],
  [0x40, "Ext48"],
  [0x20, "MBZ-5"],
  [0x10, "Device"],
  [0x08, "MBZ-3"],
  [0x04, "MBZ-2"],
  [0x02, "Async"],
  [0x01, "Write"],
];
const ERRORS = [
  "",
  "Unrecognized command code",
  "Bad argument parameter",
  "Device unavailable",
  "Config string present",
  "Unsupported version",
  "Target is reserved",
];
const ISSUE_ATA_COMMAND = 0;
const QUERY_CONFIG = 1;
const MAC_MASK_LIST = 2;
const RESERVE_RELEASE = 3;
const COMMANDS = ["Issue ATA Command", "Query Config Information", "MAC Mask List", "Reserve/Release"];
const CONFIG_COMMANDS = [
  "read config string",
  "test config string",
  "test config string prefix",
  "set config string",
  "force set config string",
];
const MASK_COMMANDS = ["Read Mac Mask List", "Edit Mac Mask List"];
const MASK_ERRORS = ["", "Unspecified Error", "Bad DCmd directive", "Mask list full"];
const DIRECTIVES = ["No Directive", "Add mac address to mask list", "Delete mac address from mask list"];
const RESERVE_COMMANDS = ["Read reserve list", "Set reserve list", "Force set reserve list"];
const ISSUE_ARG_LENGTH = 12;
const QUERY_ARG_LENGTH = 8;
const MAC_ARG_LENGTH = 4;
const RESERVE_ARG_LENGTH = 2;
const MAX_CONFIG_STRING = 1024;
const MAC_LENGTH = 6;

function named(table: string[], value: number): string {
  const name = table[value];
  return name ? name : "Unknown (0x" + value.toString(16).padStart(2, "0") + ")";
}

export function aoePrint(c: PrintContext, at: number, length: number): void {
  c.protocol = "aoe";
  c.out += "AoE length " + length;
  if (length < 1) {
    c.out += " (invalid)";
    return;
  }
  const version = u8(c, at) >> 4;
  c.out += ", Ver " + version;
  if (version !== 1) return;
  if (length < COMMON_HEADER_LENGTH) return printInvalidRest(c, at, length);
  const flags = u8(c, at) & 0x0f;
  c.out += ", Flags: [" + flagNames(FLAGS, flags) + "]";
  if (!c.flags.verbose) return;
  if (flags & FLAG_ERROR) {
    const error = u8(c, at + 1);
    c.out += "\n\tError: " + (ERRORS[error] || "Invalid (" + error + ")");
  }
  c.out += "\n\tMajor: 0x" + hex4(be16(c, at + 2));
  c.out += ", Minor: 0x" + hex2(u8(c, at + 4));
  const command = u8(c, at + 5);
  c.out += ", Command: " + named(COMMANDS, command);
  c.out +=
    ", Tag: 0x" +
    be32(c, at + 6)
      .toString(16)
      .padStart(8, "0");
  const p = at + COMMON_HEADER_LENGTH;
  const len = length - COMMON_HEADER_LENGTH;
  switch (command) {
    case ISSUE_ATA_COMMAND:
      return issuePrint(c, p, len);
    case QUERY_CONFIG:
      return queryPrint(c, p, len);
    case MAC_MASK_LIST:
      return macMaskPrint(c, p, len);
    case RESERVE_RELEASE:
      return reservePrint(c, p, len);
  }
}

function issuePrint(c: PrintContext, at: number, length: number): void {
  if (length < ISSUE_ARG_LENGTH) return printInvalidRest(c, at, length);
  c.out += "\n\tAFlags: [" + flagNames(ATA_FLAGS, u8(c, at)) + "]";
  c.out += ", Err/Feature: " + u8(c, at + 1);
  c.out += ", Sector Count: " + u8(c, at + 2);
  c.out += ", Cmd/Status: " + u8(c, at + 3);
  for (let i = 0; i < 6; i++) c.out += (i === 0 ? "\n\tlba0: " : ", lba" + i + ": ") + u8(c, at + 4 + i);
  check(c, at + 10, 2);
  if (length > ISSUE_ARG_LENGTH) c.out += "\n\tData: " + (length - ISSUE_ARG_LENGTH) + " bytes";
}

function queryPrint(c: PrintContext, at: number, length: number): void {
  if (length < QUERY_ARG_LENGTH) return printInvalidRest(c, at, length);
  c.out += "\n\tBuffer Count: " + be16(c, at);
  c.out += ", Firmware Version: " + be16(c, at + 2);
  c.out += ", Sector Count: " + u8(c, at + 4);
  const aoeCcmd = u8(c, at + 5);
  const ccmd = aoeCcmd & 0x0f;
  // tcpdump's text for an unknown config command lacks its conversion: printed as written.
  c.out += ", AoE: " + (aoeCcmd >> 4) + ", CCmd: " + (CONFIG_COMMANDS[ccmd] ?? "Unknown (0x02x)");
  const stringLength = be16(c, at + 6);
  const p = at + QUERY_ARG_LENGTH;
  const rest = length - QUERY_ARG_LENGTH;
  if (stringLength > MAX_CONFIG_STRING || stringLength > rest) return printInvalidRest(c, p, rest);
  if (stringLength) {
    c.out += "\n\tConfig String (length " + stringLength + "): ";
    printCountedText(c, p, stringLength);
  }
}

function macMaskPrint(c: PrintContext, at: number, length: number): void {
  if (length < MAC_ARG_LENGTH) return printInvalidRest(c, at, length);
  c.out += "\n\tMCmd: " + named(MASK_COMMANDS, u8(c, at + 1));
  c.out += ", MError: " + named(MASK_ERRORS, u8(c, at + 2));
  const count = u8(c, at + 3);
  c.out += ", Dir Count: " + count;
  let p = at + MAC_ARG_LENGTH;
  let len = length - MAC_ARG_LENGTH;
  if (count * 8 > len) return printInvalidRest(c, p, len);
  for (let i = 0; i < count; i++) {
    c.out += "\n\t DCmd: " + named(DIRECTIVES, u8(c, p + 1));
    check(c, p + 2, MAC_LENGTH);
    c.out += ", Ethernet Address: " + macString(c, p + 2);
    p += 8;
    len -= 8;
  }
}

function reservePrint(c: PrintContext, at: number, length: number): void {
  if (length < RESERVE_ARG_LENGTH || (length - RESERVE_ARG_LENGTH) % MAC_LENGTH) return printInvalidRest(c, at, length);
  c.out += "\n\tRCmd: " + named(RESERVE_COMMANDS, u8(c, at));
  const count = u8(c, at + 1);
  c.out += ", NMacs: " + count;
  const p = at + RESERVE_ARG_LENGTH;
  const len = length - RESERVE_ARG_LENGTH;
  if (count * MAC_LENGTH !== len) return printInvalidRest(c, p, len);
  for (let i = 0; i < count; i++) {
    check(c, p + i * MAC_LENGTH, MAC_LENGTH);
    c.out += "\n\tEthernet Address " + i + ": " + macString(c, p + i * MAC_LENGTH);
  }
}
