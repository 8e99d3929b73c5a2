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

/** Four address bytes as a signed 32-bit word (a small integer to V8: no heap number per field). */
function word(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

// A connection is a small object chained in its ports' bucket: the first word of each address in
// fields, the other six words of an IPv6 pair in a typed array, sequence bases as int32. About 100
// bytes a connection, so a capture with tens of thousands of them stays a few MB.
class Connection implements TcpConnection {
  next: Connection | undefined = undefined;
  #seq = 0;
  #ack = 0;
  constructor(
    readonly ports: number,
    /** First word of the canonical source and destination addresses. */
    readonly src0: number,
    readonly dst0: number,
    /** IPv6: words 1–3 of the source, then of the destination; undefined for IPv4. */
    readonly rest: Int32Array | undefined,
  ) {}
  get seq(): number {
    return this.#seq >>> 0;
  }
  set seq(value: number) {
    this.#seq = value | 0;
  }
  get ack(): number {
    return this.#ack >>> 0;
  }
  set ack(value: number) {
    this.#ack = value | 0;
  }
  get addresses(): Uint8Array {
    const words = this.rest
      ? [this.src0, this.rest[0]!, this.rest[1]!, this.rest[2]!, this.dst0, this.rest[3]!, this.rest[4]!, this.rest[5]!]
      : [this.src0, this.dst0];
    const out = new Uint8Array(words.length * 4);
    const view = new DataView(out.buffer);
    words.forEach((w, i) => view.setInt32(i * 4, w));
    return out;
  }
  matches(bytes: Uint8Array, srcAt: number, dstAt: number, length: number): boolean {
    if (this.src0 !== word(bytes, srcAt) || this.dst0 !== word(bytes, dstAt)) return false;
    const rest = this.rest;
    if (length === 4) return rest === undefined;
    return (
      rest !== undefined &&
      rest[0] === word(bytes, srcAt + 4) &&
      rest[1] === word(bytes, srcAt + 8) &&
      rest[2] === word(bytes, srcAt + 12) &&
      rest[3] === word(bytes, dstAt + 4) &&
      rest[4] === word(bytes, dstAt + 8) &&
      rest[5] === word(bytes, dstAt + 12)
    );
  }
}

export class TcpSequenceTable {
  private readonly buckets = new Map<number, Connection>();
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
    for (let conn = this.buckets.get(ports); conn !== undefined; conn = conn.next)
      if (conn.matches(bytes, srcAt, dstAt, length)) return conn;
    return undefined;
  }

  add(bytes: Uint8Array, srcAt: number, dstAt: number, length: number, ports: number): TcpConnection {
    if (this.count >= this.limit) this.clear();
    const rest =
      length === 16
        ? Int32Array.of(
            word(bytes, srcAt + 4),
            word(bytes, srcAt + 8),
            word(bytes, srcAt + 12),
            word(bytes, dstAt + 4),
            word(bytes, dstAt + 8),
            word(bytes, dstAt + 12),
          )
        : undefined;
    const conn = new Connection(ports, word(bytes, srcAt), word(bytes, dstAt), rest);
    conn.next = this.buckets.get(ports);
    this.buckets.set(ports, conn);
    this.count++;
    return conn;
  }
}
