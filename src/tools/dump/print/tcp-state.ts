// Per-connection base sequence numbers, so TCP sequence and acknowledgement numbers print relative
// to the start of the connection as tcpdump does by default. A connection is keyed by its two
// addresses and ports in a canonical order (lower port first); the first packet with ACK set, or
// any later SYN, (re)sets the bases. Lookups of known connections allocate nothing.

export interface TcpConnection {
  /** Canonical addresses: src then dst, 4 or 16 bytes each. */
  readonly addresses: Uint8Array;
  /** (canonical source port << 16 | canonical destination port) >>> 0. */
  readonly ports: number;
  /** Base for the canonical direction's sequence numbers. */
  seq: number;
  /** Base for the canonical direction's acknowledgement numbers. */
  ack: number;
}

export class TcpSequenceTable {
  private readonly buckets = new Map<number, TcpConnection[]>();
  private count = 0;

  /**
   * @param limit connections remembered before the table starts over (tcpdump never forgets; a
   * long-running capture should not grow without bound)
   */
  constructor(readonly limit = 1_000_000) {}

  /** Connections tracked (for tests and memory limits). */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }

  /**
   * The connection whose canonical addresses are the `length`-byte addresses at `srcAt` and `dstAt` in
   * `bytes` (already in canonical order) and whose canonical ports are `ports`, or undefined.
   */
  find(bytes: Uint8Array, srcAt: number, dstAt: number, length: number, ports: number): TcpConnection | undefined {
    const bucket = this.buckets.get(ports);
    if (bucket === undefined) return undefined;
    for (const conn of bucket) {
      const a = conn.addresses;
      if (a.length !== 2 * length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (a[i] !== bytes[srcAt + i] || a[length + i] !== bytes[dstAt + i]) {
          same = false;
          break;
        }
      }
      if (same) return conn;
    }
    return undefined;
  }

  add(bytes: Uint8Array, srcAt: number, dstAt: number, length: number, ports: number): TcpConnection {
    if (this.count >= this.limit) this.clear();
    const addresses = new Uint8Array(2 * length);
    addresses.set(bytes.subarray(srcAt, srcAt + length), 0);
    addresses.set(bytes.subarray(dstAt, dstAt + length), length);
    const conn: TcpConnection = { addresses, ports, seq: 0, ack: 0 };
    let bucket = this.buckets.get(ports);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(ports, bucket);
    }
    bucket.push(conn);
    this.count++;
    return conn;
  }
}
