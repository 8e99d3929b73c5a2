// A capture read as it comes: a file, a pipe or standard input through one fixed buffer, each
// packet handed on as soon as its record is complete. Memory stays the buffer's whatever the size
// of the input (the buffer grows only for a pcapng block longer than it, up to MAX_BLOCK_LENGTH),
// a live `tcpdump -w -` stream is followed as it is written, and a bad or cut record ends the read
// after every packet before it was handed on.
import { close, open, read } from "node:fs";
import { CaptureFormatError } from "./errors.js";
import { CaptureDecoder, MAX_BLOCK_LENGTH, type InterfaceStatistics, type PacketView } from "./reader.js";

export interface CaptureStreamOptions {
  /** Where "-" reads from (default 0, standard input). */
  stdinFd?: number;
  /**
   * Bytes read at a time (default 256 KiB: all of it is resident once filled, and larger reads
   * were no faster).
   */
  bufferBytes?: number;
  /** Called for each interface statistics block (pcapng). */
  onStatistics?: (statistics: InterfaceStatistics) => void;
}

/** A capture file, pipe or standard input, read record by record. */
export class CaptureStream implements Disposable {
  readonly decoder = new CaptureDecoder();
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;
  /** File offset of #buffer[#start]. */
  #offset = 0;
  #eof = false;
  #fd: number;
  readonly #ownsFd: boolean;

  private constructor(fd: number, ownsFd: boolean, bufferBytes: number) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#buffer = new Uint8Array(bufferBytes);
  }

  /**
   * Opens `path` ("-": standard input) and reads until packets can follow: the pcap file header,
   * or the pcapng section header and first interface description. The wrong magic fails on the
   * first bytes. Throws the open's system error (with `code`) or a CaptureFormatError.
   */
  static async open(path: string, options: CaptureStreamOptions = {}): Promise<CaptureStream> {
    const stdin = path === "-";
    const fd = stdin
      ? (options.stdinFd ?? 0)
      : await new Promise<number>((resolve, reject) => open(path, "r", (err, fd) => (err ? reject(err) : resolve(fd))));
    const stream = new CaptureStream(fd, !stdin, Math.max(options.bufferBytes ?? 256 << 10, 4096));
    stream.decoder.onStatistics = options.onStatistics;
    try {
      while (!stream.decoder.ready) {
        if (stream.#start < stream.#end) {
          const n = stream.#decodeOne();
          if (n > 0) continue;
        }
        if (stream.#eof) {
          if (stream.decoder.format === undefined)
            throw new CaptureFormatError("truncated dump file; tried to read 4 file header bytes, only got 0", 0);
          throw new CaptureFormatError("the capture file has no Interface Description Blocks", stream.#offset);
        }
        await stream.#fill();
      }
    } catch (err) {
      stream.close();
      throw err;
    }
    return stream;
  }

  /** One record from the buffer (0 when it is not all there yet); a packet is in decoder.packet. */
  #decodeOne(): number {
    const n = this.decoder.decode(this.#buffer, this.#start, this.#end, this.#offset, this.#eof);
    this.#start += n;
    this.#offset += n;
    return n;
  }

  /** Reads more bytes after what the buffer holds (room made by moving the rest to the front). */
  async #fill(): Promise<void> {
    let buffer = this.#buffer;
    if (this.#start > 0) {
      buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    const needed = this.decoder.needed;
    if (needed > buffer.length && needed <= MAX_BLOCK_LENGTH) {
      const bigger = new Uint8Array(Math.min(MAX_BLOCK_LENGTH, Math.max(needed, buffer.length * 2)));
      bigger.set(buffer.subarray(0, this.#end));
      this.#buffer = buffer = bigger;
    }
    const n = await readSome(this.#fd, buffer, this.#end, buffer.length - this.#end);
    if (n === 0) this.#eof = true;
    else this.#end += n;
  }

  /**
   * Hands each packet to `onPacket` as its record is read, until the end of the input or until
   * `onPacket` returns false. The view and its data are valid only during the call. A bad or cut
   * record throws its CaptureFormatError after every packet before it was handed on.
   * `onDrained` is called before each wait for more input (to flush output a live stream's
   * reader should see now, or to wait for a slow consumer); it too can end the read by returning
   * (or resolving to) false.
   */
  async forEach(
    onPacket: (packet: PacketView) => boolean | void,
    onDrained?: () => boolean | void | Promise<boolean | void>,
  ): Promise<void> {
    const decoder = this.decoder;
    for (;;) {
      while (this.#start < this.#end) {
        if (this.#decodeOne() === 0) break;
        if (decoder.hasPacket && onPacket(decoder.packet) === false) return;
      }
      if (this.#eof || (onDrained !== undefined && (await onDrained()) === false)) return;
      await this.#fill();
    }
  }

  /** The packets one by one (each view valid until the next is asked for). */
  async *[Symbol.asyncIterator](): AsyncGenerator<PacketView> {
    const decoder = this.decoder;
    for (;;) {
      while (this.#start < this.#end) {
        if (this.#decodeOne() === 0) break;
        if (decoder.hasPacket) yield decoder.packet;
      }
      if (this.#eof) return;
      await this.#fill();
    }
  }

  /** Closes the file (standard input stays open). Idempotent. */
  close(): void {
    if (this.#fd >= 0 && this.#ownsFd) close(this.#fd, () => {});
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** read(2) into buffer[at, at + length); 0 at the end. A non-blocking descriptor is waited for. */
function readSome(fd: number, buffer: Uint8Array, at: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = (): void =>
      read(fd, buffer, at, length, null, (err, n) => {
        if (!err) resolve(n);
        else if (err.code === "EAGAIN") setTimeout(attempt, 10);
        else reject(err);
      });
    attempt();
  });
}
