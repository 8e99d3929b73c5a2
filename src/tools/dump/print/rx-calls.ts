// The Rx calls seen last, so a reply (which names neither its operation nor its arguments) can be
// decoded by the operation of the call it answers.

const CALLS = 64;

/**
 * The last 64 calls, so a reply can be decoded by the operation of its call: a ring searched from
 * the last match, as tcpdump's, so the same replies find their calls. Typed arrays, filled in place.
 */
export class RxCallTable {
  readonly #callNumber = new Uint32Array(CALLS);
  readonly #client = new Uint32Array(CALLS);
  readonly #server = new Uint32Array(CALLS);
  readonly #port = new Uint16Array(CALLS);
  readonly #service = new Uint16Array(CALLS);
  readonly #opcode = new Uint32Array(CALLS);
  #next = 0;
  #hint = 0;
  /** The operation of the last successful find(). */
  opcode = 0;

  enter(callNumber: number, client: number, server: number, port: number, service: number, opcode: number): void {
    const i = this.#next;
    this.#next = i + 1 >= CALLS ? 0 : i + 1;
    this.#callNumber[i] = callNumber;
    this.#client[i] = client;
    this.#server[i] = server;
    this.#port[i] = port;
    this.#service[i] = service;
    this.#opcode[i] = opcode;
  }

  find(callNumber: number, client: number, server: number, port: number, service: number): boolean {
    let i = this.#hint;
    do {
      if (
        this.#callNumber[i] === callNumber &&
        this.#client[i] === client &&
        this.#server[i] === server &&
        this.#service[i] === service &&
        this.#port[i] === port
      ) {
        this.#hint = i;
        this.opcode = this.#opcode[i]!;
        return true;
      }
      if (++i >= CALLS) i = 0;
    } while (i !== this.#hint);
    return false;
  }
}
