// A capture file that cannot be read: what is wrong and where, so a user can look at the bytes.

import { TsbpfError } from "../errors.js";

/** The file is not a valid pcap/pcapng capture. `offset` is the byte offset of the bad field or block. */
export class CaptureFormatError extends TsbpfError {
  override name = "CaptureFormatError";
  constructor(
    /** What is wrong, e.g. "truncated packet record" or "unknown magic number". */
    readonly what: string,
    /** Byte offset in the file where the problem was found. */
    readonly offset: number,
    /** Extra facts (expected vs. found values). */
    readonly detail?: string,
  ) {
    super(`${what} at byte offset ${offset}${detail ? ` (${detail})` : ""}`);
  }
}
