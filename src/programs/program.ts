// Loading a program: BPF_PROG_LOAD with BTF func_info/line_info when the assembler recorded
// functions and source lines, and on failure the verifier's whole log with the instruction (and
// source line) it stopped at.
import {
  bpfErrno,
  closeFd,
  Cmd,
  objGet,
  objPin,
  progLoadAttr,
  PROG_LOAD_LOG_TRUE_SIZE_OFFSET,
  commandName,
} from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { Errno, errnoName, TsbpfError } from "../errors.js";
import { syscallError, NotSupportedError } from "../sys/errors.js";
import { ProgType, enumName } from "../uapi.js";
import { loadBtf } from "../btf/load.js";
import { programBtf } from "../btf/ext.js";

/** A source position the assembler attached to an instruction. */
export interface SourceLine {
  insnOffset: number;
  file: string;
  line: number;
  column: number;
  text: string;
}
/** A function boundary the assembler recorded (the first is the program's entry). */
export interface FunctionMark {
  name: string;
  insnOffset: number;
  argCount?: number;
}

/** What the assembler produces; raw bytecode is accepted too. */
export interface Bytecode {
  bytes: Uint8Array;
  functions?: FunctionMark[];
  lines?: SourceLine[];
}

/**
 * BTF the caller loaded itself (an object file's .BTF), with func_info/line_info records already
 * encoded. When given, it is used instead of BTF built from `code.functions`/`code.lines`, which
 * then only serve to explain verifier errors.
 */
export interface PrebuiltBtf {
  /** fd from BPF_BTF_LOAD; the caller keeps ownership (it is not closed here). */
  fd: number;
  funcInfo?: Uint8Array;
  funcInfoRecSize?: number;
  lineInfo?: Uint8Array;
  lineInfoRecSize?: number;
}

export interface ProgramSpec {
  type: ProgType;
  code: Bytecode | Uint8Array;
  name?: string;
  license?: string;
  expectedAttachType?: number;
  attachBtfId?: number;
  attachBtfObjFd?: number;
  attachProgFd?: number;
  flags?: number;
  ifindex?: number;
  kernVersion?: number;
  /** Maps the program uses, kept open as long as the program object lives. */
  maps?: readonly { fd: number }[];
  /** Prebuilt program BTF (see PrebuiltBtf). */
  btf?: PrebuiltBtf;
}

export interface LoadOptions {
  /** Verifier log level used when the load fails (1 = the instruction trace, 2 = every state). */
  logLevel?: 1 | 2;
  /** Ask for the log even on success (for inspection); the log is then on `program.verifierLog`. */
  keepLog?: boolean;
}

/**
 * The verifier rejected the program. `verdict` is the verifier's own reason (its last line that is
 * not a statistic or a register state, e.g. "R1 !read_ok"), `log` its complete output.
 */
export class VerifierError extends TsbpfError {
  override name = "VerifierError";
  readonly verdict: string;
  constructor(
    readonly programName: string,
    readonly errno: number,
    readonly log: string,
    /** Index of the instruction the verifier stopped at, when the log names one. */
    readonly failingInsn: number | undefined,
    /** The source line attached to that instruction, when known. */
    readonly sourceLine: SourceLine | undefined,
    /** The function (as the assembler or compiler marked it) holding that instruction. */
    readonly functionName?: string,
  ) {
    const verdict = verifierVerdict(log);
    const where =
      failingInsn === undefined
        ? ""
        : ` at instruction ${failingInsn}` +
          (functionName ? ` in function ${functionName}` : "") +
          (sourceLine
            ? ` (${sourceLine.file}:${sourceLine.line}${sourceLine.column ? `:${sourceLine.column}` : ""}: ${sourceLine.text.trim()})`
            : "");
    super(`the verifier rejected program "${programName}" (${errnoName(errno)})${where}: ${verdict}`);
    this.verdict = verdict;
  }
}

const MAX_LOG = 1 << 30;

/** Log lines that are not the verdict: statistics, states, instructions and source comments. */
const NOT_A_VERDICT =
  /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|(cur|old) state:|mark_precise|from \d+ to \d+|\d+: |; |last_idx|parent |regs=|func#|-- )/;

/** The verifier's reason for a rejection: its last line that says what went wrong. */
export function verifierVerdict(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  for (let i = lines.length - 1; i >= 0; i--) if (!NOT_A_VERDICT.test(lines[i]!)) return lines[i]!;
  return lines.at(-1) ?? "(no log)";
}

/** The instruction the verifier stopped at: the one its verdict names, else the last it reported. */
function failingInstruction(log: string): number | undefined {
  const named = /\bat insn (\d+)\b/.exec(verifierVerdict(log));
  if (named) return Number(named[1]);
  const matches = [...log.matchAll(/^(\d+): \([0-9a-f]{2}\)/gm)];
  const last = matches.at(-1);
  return last ? Number(last[1]) : undefined;
}

/**
 * The source line the kernel printed (from line_info) last before instruction `insn` in `log`
 * ("; TEXT @ FILE:LINE"), for programs whose lines the loader does not know itself.
 */
function loggedSourceLine(log: string, insn: number | undefined): SourceLine | undefined {
  if (insn === undefined) return undefined;
  let last: SourceLine | undefined;
  for (const l of log.split("\n")) {
    const source = /^; (.*) @ (\S+):(\d+)$/.exec(l);
    if (source) {
      last = { insnOffset: insn, file: source[2]!, line: Number(source[3]), column: 0, text: source[1]! };
      continue;
    }
    const at = /^(\d+): \(/.exec(l);
    if (at && Number(at[1]) === insn && last) return last;
  }
  return undefined;
}

/** The item (line or function mark) covering instruction `insn`: the last one starting at or before it. */
function coveringItem<T extends { insnOffset: number }>(
  items: readonly T[] | undefined,
  insn: number | undefined,
): T | undefined {
  if (!items || insn === undefined) return undefined;
  let best: T | undefined;
  for (const item of items) if (item.insnOffset <= insn && (!best || item.insnOffset >= best.insnOffset)) best = item;
  return best;
}

export class Program implements Disposable {
  #fd: number;
  /** The verifier's log when LoadOptions.keepLog was set. */
  readonly verifierLog: string | undefined;

  protected constructor(
    fd: number,
    readonly type: ProgType,
    readonly name: string,
    log?: string,
    readonly maps: readonly { fd: number }[] = [],
  ) {
    this.#fd = fd;
    this.verifierLog = log;
  }

  get fd(): number {
    if (this.#fd < 0) throw new TsbpfError(`program "${this.name}" is closed`);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Loads a program into the kernel. Throws VerifierError with the full log when rejected. */
  static load(spec: ProgramSpec, options: LoadOptions = {}): Program {
    const { fd, log } = loadRaw(spec, options);
    return new Program(fd, spec.type, spec.name ?? "", log, spec.maps ?? []);
  }

  /** Opens a program pinned in bpffs. */
  static openPinned(path: string, type: ProgType): Program {
    return new Program(objGet(path), type, path.split("/").pop() ?? "");
  }

  /** Takes ownership of an existing program fd. */
  static fromFd(fd: number, type: ProgType, name = ""): Program {
    return new Program(fd, type, name);
  }

  pin(path: string): void {
    objPin(this.fd, path);
  }

  close(): void {
    if (this.#fd >= 0) {
      closeFd(this.#fd);
      this.#fd = -1;
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** BPF_PROG_LOAD, returning the fd (and log when asked). Used by Program and its kinds. */
export function loadRaw(spec: ProgramSpec, options: LoadOptions = {}): { fd: number; log?: string } {
  const code: Bytecode = spec.code instanceof Uint8Array ? { bytes: spec.code } : spec.code;
  if (code.bytes.length === 0 || code.bytes.length % 8 !== 0) {
    throw new TsbpfError(
      `program "${spec.name ?? ""}": bytecode must be a non-empty multiple of 8 bytes (got ${code.bytes.length})`,
    );
  }
  const name = spec.name ?? "";
  const insns = NativeMemory.from(code.bytes);
  const license = NativeMemory.from(spec.license ?? "GPL");
  const owned: NativeMemory[] = [insns, license];
  let btfFd = -1;
  try {
    const base = {
      progType: spec.type,
      insns,
      insnCount: code.bytes.length / 8,
      license,
      kernVersion: spec.kernVersion,
      progFlags: spec.flags,
      name: sanitizeName(name),
      ifindex: spec.ifindex,
      expectedAttachType: spec.expectedAttachType,
      attachBtfId: spec.attachBtfId,
      attachBtfObjFd: spec.attachBtfObjFd,
      attachProgFd: spec.attachProgFd,
    };
    let btfFields = {};
    if (spec.btf) {
      const { fd, funcInfo, lineInfo } = spec.btf;
      const funcMem = funcInfo?.length ? NativeMemory.from(funcInfo) : undefined;
      const lineMem = lineInfo?.length ? NativeMemory.from(lineInfo) : undefined;
      if (funcMem) owned.push(funcMem);
      if (lineMem) owned.push(lineMem);
      const funcRec = spec.btf.funcInfoRecSize ?? 8,
        lineRec = spec.btf.lineInfoRecSize ?? 16;
      btfFields = {
        btfFd: fd,
        funcInfo: funcMem,
        funcInfoCount: funcMem ? funcInfo!.length / funcRec : 0,
        funcInfoRecSize: funcMem ? funcRec : 0,
        lineInfo: lineMem,
        lineInfoCount: lineMem ? lineInfo!.length / lineRec : 0,
        lineInfoRecSize: lineMem ? lineRec : 0,
      };
    } else if (code.functions?.length || code.lines?.length) {
      const functions = code.functions?.length ? code.functions : [{ name: name || "prog", insnOffset: 0 }];
      const info = programBtf(functions, code.lines ?? [], spec.type);
      btfFd = loadBtf(info.btf);
      const funcInfo = NativeMemory.from(info.funcInfo);
      const lineInfo = info.lineInfo.length ? NativeMemory.from(info.lineInfo) : undefined;
      owned.push(funcInfo);
      if (lineInfo) owned.push(lineInfo);
      btfFields = {
        btfFd,
        funcInfo,
        funcInfoCount: info.funcInfo.length / info.funcInfoRecSize,
        funcInfoRecSize: info.funcInfoRecSize,
        lineInfo,
        lineInfoCount: lineInfo ? info.lineInfo.length / info.lineInfoRecSize : 0,
        lineInfoRecSize: lineInfo ? info.lineInfoRecSize : 0,
      };
    }

    const wantLog = options.keepLog === true;
    let logSize = wantLog ? 1 << 20 : 0;
    for (;;) {
      const log = logSize ? new NativeMemory(logSize) : null;
      if (log) {
        owned.push(log);
        log.bytes[0] = 0;
      }
      const a = progLoadAttr({ ...base, ...btfFields, logLevel: log ? (options.logLevel ?? 1) : 0, logBuf: log });
      const ret = bpfErrno(Cmd.PROG_LOAD, a);
      if (ret >= 0) return { fd: ret, log: log ? readCString(log) : undefined };
      const errno = -ret;
      if (errno === Errno.ENOSPC && log && logSize < MAX_LOG) {
        const trueSize = a.readU32(PROG_LOAD_LOG_TRUE_SIZE_OFFSET);
        logSize = Math.min(MAX_LOG, Math.max(logSize * 4, trueSize + 1));
        continue;
      }
      if (
        !log &&
        (errno === Errno.EPERM ||
          errno === Errno.EACCES ||
          errno === Errno.EINVAL ||
          errno === Errno.E2BIG ||
          errno === Errno.ENOSPC ||
          errno === Errno.EFAULT)
      ) {
        logSize = 1 << 20; // fail fast without a log, then load again to explain why
        continue;
      }
      const text = log ? readCString(log) : "";
      if (errno === Errno.EPERM && text.length === 0) {
        const kind = enumName(ProgType, spec.type);
        if (process.getuid?.() === 0) {
          throw new NotSupportedError(
            `${kind} programs`,
            "BPF_PROG_LOAD answered EPERM with an empty verifier log although we are root (the platform forbids this program type)",
            errno,
          );
        }
        throw syscallError(commandName(Cmd.PROG_LOAD), errno, `program "${name}"`);
      }
      if (text.length === 0) throw syscallError(commandName(Cmd.PROG_LOAD), errno, `program "${name}"`);
      const insn = failingInstruction(text);
      throw new VerifierError(
        name,
        errno,
        text,
        insn,
        coveringItem(code.lines, insn) ?? loggedSourceLine(text, insn),
        coveringItem(code.functions, insn)?.name,
      );
    }
  } finally {
    if (btfFd >= 0) closeFd(btfFd);
    for (const m of owned) m.free();
  }
}

function readCString(mem: NativeMemory): string {
  const end = mem.bytes.indexOf(0);
  return mem.bytes.toString("utf8", 0, end < 0 ? mem.size : end);
}

/** Program names: at most 15 characters of [A-Za-z0-9_.]. */
function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 15);
}
