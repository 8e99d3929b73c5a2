// The running kernel's BTF. /sys/kernel/btf/vmlinux is ~6 MB; copying it into fresh memory costs
// a page fault per 4 KiB page, which on a VM dominates everything else (~20 ms). Since Linux 6.15
// the file can be mapped read-only instead, so we map it when we can and read it when we cannot.
import { existsSync, readFileSync, statSync } from "node:fs";
import { native, viewOf } from "../sys/libc.js";
import { Btf } from "./decoder.js";

export const VMLINUX_BTF_PATH = "/sys/kernel/btf/vmlinux";
const SYS_KERNEL_BTF = "/sys/kernel/btf";

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const PROT_READ = 1;
const MAP_PRIVATE = 2;

// A mapping is released when the ArrayBuffer over it is collected: nothing can still see it then.
const unmapper = new FinalizationRegistry<{ address: bigint; size: number }>((m) => {
  native.munmap(m.address, m.size);
});

/** Maps a file read-only; null when the file system does not support it (or anything fails). */
function mapFile(path: string, size: number): Buffer | null {
  if (size <= 0) return null;
  const fd = native.open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return null;
  try {
    const address = native.mmap(null, size, PROT_READ, MAP_PRIVATE, fd, 0);
    // MAP_FAILED is (void *)-1; koffi hands pointers back as bigints (or null for NULL).
    if (
      address === null ||
      typeof address !== "bigint" ||
      address === 0n ||
      address === 0xffff_ffff_ffff_ffffn ||
      address === -1n
    )
      return null;
    const ab = viewOf(address, size);
    unmapper.register(ab, { address, size });
    return Buffer.from(ab);
  } finally {
    native.close(fd);
  }
}

export interface BtfFileOptions {
  /** Base BTF for split BTF (kernel modules). */
  base?: Btf;
  /**
   * Map the file instead of reading it, when the file system allows. Default: only for the
   * kernel's own files under /sys/kernel/btf, which never change; a mapped regular file that is
   * truncated later would crash the process (SIGBUS) on the next access.
   */
  mmap?: boolean;
}

/** Reads a BTF file (raw BTF, not ELF) and parses it. */
export function loadBtfFile(path: string, options: BtfFileOptions = {}): Btf {
  let blob: Buffer | null = null;
  if (options.mmap ?? path.startsWith(`${SYS_KERNEL_BTF}/`)) {
    try {
      blob = mapFile(path, statSync(path).size);
    } catch {
      blob = null;
    }
  }
  blob ??= readFileSync(path);
  return Btf.parse(blob, { base: options.base });
}

let vmlinux: Btf | undefined;
const modules = new Map<string, Btf>();

/** Whether the kernel exposes its BTF (CONFIG_DEBUG_INFO_BTF). */
export function hasKernelBtf(): boolean {
  return existsSync(VMLINUX_BTF_PATH);
}

/** The running kernel's BTF, loaded once and cached for the life of the process. */
export function kernelBtf(): Btf {
  vmlinux ??= loadBtfFile(VMLINUX_BTF_PATH);
  return vmlinux;
}

/** A kernel module's BTF (split over vmlinux), e.g. moduleBtf("nf_conntrack"); cached. */
export function moduleBtf(module: string): Btf {
  if (!/^[A-Za-z0-9_.-]+$/.test(module) || module === "vmlinux" || module.startsWith(".")) {
    throw new Error(`not a kernel module name: ${JSON.stringify(module)}`);
  }
  let btf = modules.get(module);
  if (!btf) {
    btf = loadBtfFile(`${SYS_KERNEL_BTF}/${module}`, { base: kernelBtf() });
    modules.set(module, btf);
  }
  return btf;
}
