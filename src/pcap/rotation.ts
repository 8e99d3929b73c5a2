// Output file rotation as tcpdump does it for -C (size), -G (seconds) and -W (file count), with its
// file naming: with -C the files are NAME, NAME1, NAME2, … (with -W N the number is always there,
// zero-padded to the digits of N-1, and wraps at N); with -G the name is an strftime pattern
// expanded at each rotation time; -G with -W and no -C stops after N files.
//
// Two differences from tcpdump, both on purpose: time rotation happens on exact multiples of -G
// seconds from the start (tcpdump re-anchors at whatever time the next packet came, so its files
// drift), and a timer can rotate without waiting for a packet (`tick`); and by default a file never
// grows past -C bytes because the check counts the record about to be written (tcpdump checks the
// size already written, so its files end up to one packet larger). `sizeRule: "tcpdump"` restores
// tcpdump's rule.

export interface RotationOptions {
  /** The -w name; with secondsPerFile it may contain strftime conversions such as %Y%m%d-%H%M%S. */
  baseName: string;
  /** -C: rotate when a file would exceed this many bytes (tcpdump's -C unit is 1,000,000 bytes). */
  maxFileBytes?: number;
  /** -G: rotate every this many seconds. */
  secondsPerFile?: number;
  /** -W: with -C, the number of files to cycle through; with -G alone, the number of files to write. */
  maxFiles?: number;
  /** Time of the first file, seconds since the epoch (default now). */
  startSeconds?: number;
  /** "exact" (default): a record that would take the file past maxFileBytes starts a new file. "tcpdump": rotate once the file is already past it. */
  sizeRule?: "exact" | "tcpdump";
}

/** Digits tcpdump uses for file numbers with -W N: the digits of N-1. */
export function fileNumberWidth(maxFiles: number): number {
  let chars = 0;
  for (let x = maxFiles - 1; x > 0; x = Math.floor(x / 10)) chars++;
  return chars;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function pad(v: number, width: number, fill = "0"): string {
  const s = "" + v;
  return s.length >= width ? s : fill.repeat(width - s.length) + s;
}

/** strftime(3) in local time for the conversions capture file names use. */
export function strftime(pattern: string, date: Date): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== "%" || i + 1 >= pattern.length) {
      out += ch;
      continue;
    }
    const conv = pattern[++i]!;
    const h = date.getHours();
    switch (conv) {
      case "Y":
        out += date.getFullYear();
        break;
      case "y":
        out += pad(date.getFullYear() % 100, 2);
        break;
      case "C":
        out += pad(Math.floor(date.getFullYear() / 100), 2);
        break;
      case "m":
        out += pad(date.getMonth() + 1, 2);
        break;
      case "d":
        out += pad(date.getDate(), 2);
        break;
      case "e":
        out += pad(date.getDate(), 2, " ");
        break;
      case "H":
        out += pad(h, 2);
        break;
      case "k":
        out += pad(h, 2, " ");
        break;
      case "I":
        out += pad(h % 12 === 0 ? 12 : h % 12, 2);
        break;
      case "l":
        out += pad(h % 12 === 0 ? 12 : h % 12, 2, " ");
        break;
      case "M":
        out += pad(date.getMinutes(), 2);
        break;
      case "S":
        out += pad(date.getSeconds(), 2);
        break;
      case "p":
        out += h < 12 ? "AM" : "PM";
        break;
      case "j": {
        const start = new Date(date.getFullYear(), 0, 1);
        out += pad(Math.floor((date.getTime() - start.getTime()) / 86400000) + 1, 3);
        break;
      }
      case "a":
        out += DAYS[date.getDay()]!.slice(0, 3);
        break;
      case "A":
        out += DAYS[date.getDay()];
        break;
      case "b":
      case "h":
        out += MONTHS[date.getMonth()]!.slice(0, 3);
        break;
      case "B":
        out += MONTHS[date.getMonth()];
        break;
      case "u":
        out += date.getDay() === 0 ? 7 : date.getDay();
        break;
      case "w":
        out += date.getDay();
        break;
      case "s":
        out += Math.floor(date.getTime() / 1000);
        break;
      case "F":
        out += date.getFullYear() + "-" + pad(date.getMonth() + 1, 2) + "-" + pad(date.getDate(), 2);
        break;
      case "T":
        out += pad(h, 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
        break;
      case "R":
        out += pad(h, 2) + ":" + pad(date.getMinutes(), 2);
        break;
      case "D":
        out += pad(date.getMonth() + 1, 2) + "/" + pad(date.getDate(), 2) + "/" + pad(date.getFullYear() % 100, 2);
        break;
      case "z": {
        const off = -date.getTimezoneOffset();
        out += (off < 0 ? "-" : "+") + pad(Math.floor(Math.abs(off) / 60), 2) + pad(Math.abs(off) % 60, 2);
        break;
      }
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "%":
        out += "%";
        break;
      default:
        out += "%" + conv;
    }
  }
  return out;
}

/**
 * tcpdump's name for a file: the base name (strftime-expanded at `timeSeconds` when given), then
 * the file number zero-padded to `width` digits — or no number when both are 0.
 */
export function rotationFileName(baseName: string, index: number, width: number, timeSeconds?: number): string {
  const name = timeSeconds === undefined ? baseName : strftime(baseName, new Date(timeSeconds * 1000));
  if (index === 0 && width === 0) return name;
  return name + pad(index, width);
}

export type RotationDecision = "keep" | "rotate" | "stop";

/** The rotation state machine: which file is current and when the next one starts. */
export class RotationPlan {
  readonly baseName: string;
  readonly maxFileBytes: number;
  readonly secondsPerFile: number;
  readonly maxFiles: number;
  readonly width: number;
  readonly sizeRule: "exact" | "tcpdump";
  /** -C file number (tcpdump's Cflag_count). */
  sizeIndex = 0;
  /** Time rotations so far (tcpdump's Gflag_count). */
  timeIndex = 0;
  /** Start of the current time slot (seconds). */
  slotStart: number;
  /** Set when -G with -W (and no -C) has written its files. */
  finished = false;

  constructor(options: RotationOptions) {
    this.baseName = options.baseName;
    this.maxFileBytes = options.maxFileBytes ?? 0;
    this.secondsPerFile = options.secondsPerFile ?? 0;
    this.maxFiles = options.maxFiles ?? 0;
    this.sizeRule = options.sizeRule ?? "exact";
    this.width = this.maxFiles > 0 ? fileNumberWidth(this.maxFiles) : 0;
    this.slotStart = Math.floor(options.startSeconds ?? Date.now() / 1000);
    if (this.maxFileBytes < 0 || this.secondsPerFile < 0 || this.maxFiles < 0)
      throw new RangeError("rotation limits must be positive");
  }

  /** Name of the current file. */
  get currentName(): string {
    const time = this.secondsPerFile > 0 ? this.slotStart : undefined;
    if (this.maxFileBytes > 0) return rotationFileName(this.baseName, this.sizeIndex, this.width, time);
    return rotationFileName(this.baseName, 0, 0, time);
  }

  /** When the current time slot ends (seconds), or undefined without -G. */
  get nextBoundary(): number | undefined {
    return this.secondsPerFile > 0 ? this.slotStart + this.secondsPerFile : undefined;
  }

  /** Moves to the slot containing `now` when the current one is over; true when it moved. */
  private advanceTime(now: number): boolean {
    if (this.secondsPerFile <= 0 || now < this.slotStart + this.secondsPerFile) return false;
    this.slotStart += Math.floor((now - this.slotStart) / this.secondsPerFile) * this.secondsPerFile;
    this.timeIndex++;
    this.sizeIndex = 0;
    if (this.maxFileBytes === 0 && this.maxFiles > 0 && this.timeIndex >= this.maxFiles) this.finished = true;
    return true;
  }

  /**
   * Whether to start a new file before writing a record of `recordBytes` into the current file,
   * which holds `fileBytes` bytes of which `headerBytes` are headers, at time `now` (seconds).
   * On "rotate" the plan has moved on: `currentName` is the next file.
   */
  check(fileBytes: number, recordBytes: number, now: number, headerBytes: number): RotationDecision {
    if (this.finished) return "stop";
    if (this.advanceTime(now)) return this.finished ? "stop" : "rotate";
    if (this.maxFileBytes > 0) {
      const full =
        this.sizeRule === "tcpdump"
          ? fileBytes > this.maxFileBytes
          : fileBytes > headerBytes && fileBytes + recordBytes > this.maxFileBytes;
      if (full) {
        this.sizeIndex++;
        if (this.maxFiles > 0 && this.sizeIndex >= this.maxFiles) this.sizeIndex = 0;
        return "rotate";
      }
    }
    return "keep";
  }

  /** Time-only check for a timer firing at a boundary with no packet to write. */
  tick(now: number): RotationDecision {
    if (this.finished) return "stop";
    if (this.advanceTime(now)) return this.finished ? "stop" : "rotate";
    return "keep";
  }
}

/** What the rotating writer needs from a capture file writer (PcapWriter and PcapngWriter fit). */
export interface RotatableWriter {
  bytesWritten: number;
  close(): void;
}

/**
 * Keeps the current output file of a rotation: `writerFor` returns the writer to put the next
 * record in, opening the next file first when the plan says so.
 */
export class RotatingCaptureWriter<W extends RotatableWriter> {
  readonly plan: RotationPlan;
  /** Every file name opened, in order (a name appears again when -W wraps). */
  readonly opened: string[] = [];
  private writer: W | undefined;
  private headerBytes = 0;

  /**
   * @param open creates a writer for a path, with its file header (and pcapng interfaces) written
   * @param onRotate told after each rotation with the closed and the new file name
   */
  constructor(
    options: RotationOptions,
    private readonly open: (path: string) => W,
    private readonly onRotate?: (closed: string, opened: string) => void,
  ) {
    this.plan = new RotationPlan(options);
    this.openCurrent();
  }

  get fileName(): string {
    return this.opened[this.opened.length - 1]!;
  }

  get current(): W | undefined {
    return this.writer;
  }

  private openCurrent(): void {
    const name = this.plan.currentName;
    this.writer = this.open(name);
    this.headerBytes = this.writer.bytesWritten;
    this.opened.push(name);
  }

  private rotate(): void {
    const closed = this.fileName;
    this.writer?.close();
    this.openCurrent();
    this.onRotate?.(closed, this.fileName);
  }

  /** The writer for a record of `recordBytes` at `nowSeconds`; undefined once -G/-W has finished. */
  writerFor(recordBytes: number, nowSeconds: number): W | undefined {
    if (this.writer === undefined) return undefined;
    const decision = this.plan.check(this.writer.bytesWritten, recordBytes, nowSeconds, this.headerBytes);
    if (decision === "stop") {
      this.close();
      return undefined;
    }
    if (decision === "rotate") this.rotate();
    return this.writer;
  }

  /** For a timer at plan.nextBoundary: rotates on time without a packet. False once finished. */
  tick(nowSeconds: number): boolean {
    if (this.writer === undefined) return false;
    const decision = this.plan.tick(nowSeconds);
    if (decision === "stop") {
      this.close();
      return false;
    }
    if (decision === "rotate") this.rotate();
    return true;
  }

  close(): void {
    this.writer?.close();
    this.writer = undefined;
  }
}
