// The record handed to ring buffer and perf buffer callbacks: a window (offset, length) onto the
// mapped ring itself. One object per reader is reused for every record, so reading allocates
// nothing; the price is that a record is valid only during the callback that received it.

/**
 * One record, in place in the kernel's ring (zero-copy).
 *
 * VALID ONLY DURING THE CALLBACK: after it returns the reader moves `offset` to the next record,
 * and once the batch ends the kernel may overwrite the bytes. After the reader is closed the
 * memory is unmapped, and touching `view`/`bytes` kept from earlier crashes the process. Keep
 * data with `copy()` or by reading the fields you need.
 *
 * The accessors take offsets relative to the record and are little-endian; they do not check
 * `at` against `length` (the hot path), so stay within `length`.
 */
export class RingRecord {
  /** The whole mapped area; the record starts at `offset`. */
  view: DataView;
  /** The same area as bytes. */
  bytes: Uint8Array;
  /** Where the record's data starts in `view`/`bytes`. */
  offset = 0;
  /** Data length in bytes. */
  length = 0;
  /** The CPU whose buffer held the record (perf buffers), or -1 (ring buffers: not recorded). */
  cpu = -1;

  /** @internal */
  constructor(buffer: ArrayBuffer | Uint8Array) {
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** @internal Points the record at another area (perf buffers: a scratch copy of a wrapped record). */
  use(bytes: Uint8Array, view: DataView): void {
    this.bytes = bytes;
    this.view = view;
  }

  u8(at: number): number {
    return this.bytes[this.offset + at]!;
  }
  u16(at: number): number {
    return this.view.getUint16(this.offset + at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(this.offset + at, true);
  }
  i32(at: number): number {
    return this.view.getInt32(this.offset + at, true);
  }
  /** A u64 as a number (exact up to 2^53; no BigInt allocation). */
  u64AsNumber(at: number): number {
    const o = this.offset + at;
    return this.view.getUint32(o + 4, true) * 0x1_0000_0000 + this.view.getUint32(o, true);
  }
  u64(at: number): bigint {
    return this.view.getBigUint64(this.offset + at, true);
  }
  i64(at: number): bigint {
    return this.view.getBigInt64(this.offset + at, true);
  }
  f64(at: number): number {
    return this.view.getFloat64(this.offset + at, true);
  }

  /** A Uint8Array aliasing the record (no copy; same lifetime rule as the record). */
  subarray(): Uint8Array {
    return this.bytes.subarray(this.offset, this.offset + this.length);
  }

  /** A copy of the record's bytes that stays valid. */
  copy(): Uint8Array {
    return this.bytes.slice(this.offset, this.offset + this.length);
  }
}

/** A callback that receives records. Return `false` to stop after this record. */
export type RecordCallback = (record: RingRecord) => void | boolean;
