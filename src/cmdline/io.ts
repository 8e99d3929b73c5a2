// How a command talks: its three streams (CommandIo, so tests can capture them), buffered line
// output and NDJSON values.
import { readFileSync } from "node:fs";

/** A command's three streams; tests pass their own to capture what it writes. */
export interface CommandIo {
  stdout: (text: string) => void;
  /**
   * Writes bytes to stdout; `bytes` may be reused once it returns (an implementation that queues
   * them copies). Absent: callers decode them and use `stdout`.
   */
  stdoutBytes?: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  stdin: () => string;
  /**
   * Resolves once stdout has taken what was written (a pipe to a slow reader queues it in memory):
   * a command that writes without end awaits it now and then. Absent: nothing to wait for.
   */
  stdoutDrained?: () => Promise<void>;
}

export const processIo: CommandIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  // a pipe may queue what it cannot take now, so the stream gets a copy
  stdoutBytes: (bytes) => {
    process.stdout.write(Buffer.from(bytes));
  },
  stdoutDrained: () =>
    process.stdout.writableNeedDrain
      ? new Promise((resolve) => {
          process.stdout.once("drain", resolve);
        })
      : Promise.resolve(),
  stderr: (text) => {
    process.stderr.write(text);
  },
  stdin: () => readFileSync(0, "utf8"),
};

/** A JSON-safe value: bigints become numbers when exact, strings otherwise. */
export function jsonValue(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** Writes lines in chunks (one write per ~64 KiB instead of one per line). */
export class LineWriter {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly write: (text: string) => void) {}
  line(text: string): void {
    this.#parts.push(text, "\n");
    this.#size += text.length + 1;
    if (this.#size >= 65536) this.flush();
  }
  /** One NDJSON record. */
  json(record: object): void {
    this.line(JSON.stringify(record));
  }
  flush(): void {
    if (this.#parts.length === 0) return;
    this.write(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
  }
}

/**
 * Lines encoded into one reused buffer as they come and written ~64 KiB at a time: no line's
 * string outlives its call (an array of pending strings would carry them through scavenges into
 * the old generation), and there is no join or second encoding at the write.
 */
export class ByteLineWriter {
  readonly #buffer = Buffer.allocUnsafe(65536);
  #used = 0;
  /** Most bytes one UTF-16 unit of a line can take. */
  readonly #maxBytesPerUnit: number;

  /**
   * `encoding` "latin1" is for text whose characters each stand for one byte (as a C program's
   * output does): copied as they are, several times faster than encoding UTF-8.
   */
  constructor(
    readonly io: CommandIo,
    readonly encoding: "utf8" | "latin1" = "utf8",
  ) {
    this.#maxBytesPerUnit = encoding === "utf8" ? 3 : 1;
  }

  line(text: string): void {
    const most = text.length * this.#maxBytesPerUnit + 1;
    if (this.#used + most > this.#buffer.length) {
      this.flush();
      if (most > this.#buffer.length) {
        this.#write(Buffer.from(`${text}\n`, this.encoding));
        return;
      }
    }
    this.#used += this.#buffer.write(text, this.#used, this.encoding);
    this.#buffer[this.#used++] = 10;
  }

  flush(): void {
    if (this.#used === 0) return;
    const bytes = this.#buffer.subarray(0, this.#used);
    this.#used = 0;
    this.#write(bytes);
  }

  #write(bytes: Buffer): void {
    if (this.io.stdoutBytes) this.io.stdoutBytes(bytes);
    else this.io.stdout(bytes.toString(this.encoding));
  }
}
