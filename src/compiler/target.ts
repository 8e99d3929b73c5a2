// The instruction set a compile targets (clang's -mcpu): v1…v4, or "probe" for what the running
// kernel accepts. Probing loads a few tiny socket filters, each using the instructions of one
// version, once per process; where the kernel cannot be asked (no privilege for bpf()), the
// target is v3 — what every kernel since 5.1 accepts — and the reason is kept for the output.
import { Assembler, BPF_JEQ, BPF_JMP32, Size } from "../asm/index.js";
import { ISA_KERNEL, type IsaVersion } from "../asm/isa.js";
import { errnoName, TsbpfError } from "../errors.js";
import { bpfErrno, closeFd, Cmd, progLoadAttr } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { ProgType } from "../uapi.js";

/** An instruction-set version by clang's name. */
export type CpuVersion = "v1" | "v2" | "v3" | "v4";
/** What `--cpu` and the `cpu` compile option take: a version, or "probe" (the default). */
export type CpuOption = CpuVersion | "probe";

export const CPU_OPTIONS: readonly CpuOption[] = ["v1", "v2", "v3", "v4", "probe"];

/** The target chosen for one compile. */
export interface CpuTarget {
  cpu: CpuVersion;
  isa: IsaVersion;
  /** How it was chosen: given, found by probing the kernel, or the fallback when probing failed. */
  source: "option" | "probe" | "fallback";
  /** Why probing failed (source "fallback"). */
  note?: string;
}

/** The version probing falls back to: every kernel since Linux 5.1 accepts it. */
export const FALLBACK_CPU: CpuVersion = "v3";

export class CpuOptionError extends TsbpfError {
  override name = "CpuOptionError";
}

export function isCpuOption(value: string): value is CpuOption {
  return (CPU_OPTIONS as readonly string[]).includes(value);
}

/** Checks a `cpu` option given as text (`--cpu`), with the one-line message a user sees. */
export function parseCpuOption(value: string): CpuOption {
  if (!isCpuOption(value))
    throw new CpuOptionError(`unknown cpu "${value}": choose one of ${CPU_OPTIONS.join(", ")} (as clang's -mcpu)`);
  return value;
}

export const isaOf = (cpu: CpuVersion): IsaVersion => Number(cpu.slice(1)) as IsaVersion;
export const cpuOf = (isa: IsaVersion): CpuVersion => `v${isa}`;

/** The Linux release that first accepts a version's instructions. */
export const cpuKernel = (cpu: CpuVersion): string => ISA_KERNEL[isaOf(cpu)];

let probed: CpuTarget | undefined;

/** The target for an option: the option itself, or (for "probe" or none) what the kernel accepts. */
export function resolveCpu(option: CpuOption = "probe"): CpuTarget {
  const checked = parseCpuOption(option);
  if (checked !== "probe") return { cpu: checked, isa: isaOf(checked), source: "option" };
  probed ??= probeKernelCpu();
  return probed;
}

/** One probe program per version above v1, each using what that version adds. */
function probePrograms(): [IsaVersion, Uint8Array][] {
  const v2 = new Assembler().mov64("r0", 0).mov64("r1", 1).jlt("r0", "r1", "out").label("out").exit();
  const v3 = new Assembler()
    .mov64("r0", 0)
    .jmp(BPF_JMP32, BPF_JEQ, "r0", 0, "next")
    .label("next")
    .mov32("r1", -8)
    .arsh32("r1", 1)
    .st(Size.DW, "r10", -8, 0)
    .mov64("r1", 1)
    .fetchAdd(Size.DW, "r10", "r1", -8)
    .exit();
  const v4 = new Assembler()
    .st(Size.DW, "r10", -8, -3)
    .ldxsx(Size.B, "r1", "r10", -8)
    .movsx64("r1", "r1", 16)
    .bswap("r1", 16)
    .sdiv64("r1", 3)
    .smod32("r1", -2)
    .gotol("out")
    .label("out")
    .mov64("r0", 0)
    .exit();
  return [
    [2, v2.assemble().bytes],
    [3, v3.assemble().bytes],
    [4, v4.assemble().bytes],
  ];
}

/** Loads `code` as a socket filter; 0 when the kernel accepted it, else the errno. */
function tryLoad(code: Uint8Array, license: NativeMemory): number {
  const insns = NativeMemory.from(code);
  try {
    const fd = bpfErrno(
      Cmd.PROG_LOAD,
      progLoadAttr({
        progType: ProgType.SOCKET_FILTER,
        insns,
        insnCount: code.length / 8,
        license,
        logLevel: 0,
        logBuf: null,
        name: "tsbpf_cpu",
      }),
    );
    if (fd < 0) return -fd;
    closeFd(fd);
    return 0;
  } finally {
    insns.free();
  }
}

/** The highest version whose probe program the running kernel loads (uncached; see resolveCpu). */
export function probeKernelCpu(): CpuTarget {
  let license: NativeMemory | undefined;
  try {
    license = NativeMemory.from("GPL");
    const baseline = new Assembler().mov64("r0", 0).exit().assemble().bytes;
    const errno = tryLoad(baseline, license);
    if (errno !== 0)
      return {
        cpu: FALLBACK_CPU,
        isa: isaOf(FALLBACK_CPU),
        source: "fallback",
        note: `cannot probe the kernel's instruction set (BPF_PROG_LOAD: ${errnoName(errno)}); compiled for ${FALLBACK_CPU} (Linux ${cpuKernel(FALLBACK_CPU)}), choose another with --cpu`,
      };
    let isa: IsaVersion = 1;
    for (const [version, code] of probePrograms()) {
      if (tryLoad(code, license) !== 0) break;
      isa = version;
    }
    return { cpu: cpuOf(isa), isa, source: "probe" };
  } catch (err) {
    // koffi or the syscall layer unavailable (not Linux): nothing to ask.
    return {
      cpu: FALLBACK_CPU,
      isa: isaOf(FALLBACK_CPU),
      source: "fallback",
      note: `cannot probe the kernel's instruction set (${err instanceof Error ? err.message : String(err)}); compiled for ${FALLBACK_CPU}, choose another with --cpu`,
    };
  } finally {
    license?.free();
  }
}
