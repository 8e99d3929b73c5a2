// The IKEv1 initiators seen so far, as tcpdump keeps them to tell an initiator's message ("I")
// from a responder's ("R"): twenty slots reused round-robin, each an initiator cookie and the
// addresses of the message that opened the exchange. Like tcpdump's, the slots start zeroed, so
// an all-zero cookie is "found" in a slot that holds no addresses (and prints as "?").

const SLOTS = 20;
const COOKIE = 8;

export class IkeCookieCache {
  /** Initiator cookies, 8 bytes a slot. */
  private readonly cookies = new Uint8Array(SLOTS * COOKIE);
  /** IP version of each slot's addresses (0: none). */
  private readonly versions = new Uint8Array(SLOTS);
  /** Initiator then responder address, 16 bytes each, a slot. */
  private readonly addresses = new Uint8Array(SLOTS * 32);
  private next = 0;

  /** The slot holding this cookie, or -1. */
  find(b: Uint8Array, at: number): number {
    for (let i = 0; i < SLOTS; i++) {
      let k = 0;
      while (k < COOKIE && this.cookies[i * COOKIE + k] === b[at + k]) k++;
      if (k === COOKIE) return i;
    }
    return -1;
  }

  /** Records an initiator's cookie with the source and destination of its message (`size` bytes each). */
  record(b: Uint8Array, cookieAt: number, version: number, srcAt: number, dstAt: number, size: number): void {
    const found = this.find(b, cookieAt);
    if (found >= 0) {
      this.next = (found + 1) % SLOTS;
      return;
    }
    const slot = this.next;
    this.versions[slot] = version;
    for (let k = 0; k < size; k++) {
      this.addresses[slot * 32 + k] = b[srcAt + k]!;
      this.addresses[slot * 32 + 16 + k] = b[dstAt + k]!;
    }
    for (let k = 0; k < COOKIE; k++) this.cookies[slot * COOKIE + k] = b[cookieAt + k]!;
    this.next = (slot + 1) % SLOTS;
  }

  /** True when the slot was recorded for this IP version and its initiator (or responder) address is `srcAt`. */
  sentBy(slot: number, initiator: boolean, b: Uint8Array, version: number, srcAt: number, size: number): boolean {
    if (this.versions[slot] !== version) return false;
    const base = slot * 32 + (initiator ? 0 : 16);
    for (let k = 0; k < size; k++) if (this.addresses[base + k] !== b[srcAt + k]) return false;
    return true;
  }
}
