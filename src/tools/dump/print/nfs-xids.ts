// The NFS calls seen last, by transaction ID, so a reply (which names neither its procedure nor its
// version) can be decoded: a ring of 64 entries, as tcpdump keeps, searched from the last match.
// The same ring size and search order as tcpdump's make the same replies find their calls when
// more calls are outstanding than the ring holds. Fixed-size typed arrays: nothing is allocated
// per packet.

const SIZE = 64;
/** Client then server address, 16 bytes each (IPv4 in the first 4). */
const ADDRESS_BYTES = 32;

export class NfsXidTable {
  readonly #xid = new Uint32Array(SIZE);
  /** 4 or 6; 0 for a slot never filled, which matches nothing. */
  readonly #ipVersion = new Uint8Array(SIZE);
  readonly #addresses = new Uint8Array(SIZE * ADDRESS_BYTES);
  readonly #proc = new Uint32Array(SIZE);
  readonly #vers = new Uint32Array(SIZE);
  #next = 0;
  #hint = 0;
  /** Procedure and version of the last successful find(). */
  proc = 0;
  vers = 0;

  /**
   * Records a call from `bytes[src, src+n)` to `bytes[dst, dst+n)` (n = 4 or 16 for the IP
   * version).
   */
  enter(xid: number, ipVersion: 4 | 6, bytes: Uint8Array, src: number, dst: number, proc: number, vers: number): void {
    const i = this.#next;
    this.#next = i + 1 >= SIZE ? 0 : i + 1;
    const n = ipVersion === 4 ? 4 : 16;
    this.#xid[i] = xid;
    this.#ipVersion[i] = ipVersion;
    const base = i * ADDRESS_BYTES;
    this.#addresses.fill(0, base, base + ADDRESS_BYTES);
    for (let k = 0; k < n; k++) {
      this.#addresses[base + k] = bytes[src + k]!;
      this.#addresses[base + 16 + k] = bytes[dst + k]!;
    }
    this.#proc[i] = proc;
    this.#vers[i] = vers;
  }

  /**
   * The call a reply from `src` to `dst` answers: true with proc and vers set, or false. The reply
   * comes from the call's server and goes to its client.
   */
  find(xid: number, ipVersion: number, bytes: Uint8Array, src: number, dst: number): boolean {
    const n = ipVersion === 4 ? 4 : 16;
    let i = this.#hint;
    do {
      if (this.#ipVersion[i] === ipVersion && this.#xid[i] === xid && (ipVersion === 4 || ipVersion === 6)) {
        const base = i * ADDRESS_BYTES;
        let same = true;
        for (let k = 0; k < n && same; k++) {
          same = this.#addresses[base + 16 + k] === bytes[src + k] && this.#addresses[base + k] === bytes[dst + k];
        }
        if (same) {
          this.#hint = i;
          this.proc = this.#proc[i]!;
          this.vers = this.#vers[i]!;
          return true;
        }
      }
      if (++i >= SIZE) i = 0;
    } while (i !== this.#hint);
    return false;
  }
}
