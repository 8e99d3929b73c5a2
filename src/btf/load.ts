// BPF_BTF_LOAD: hands a BTF blob to the kernel, with the kernel's BTF log when it is rejected.
import { bpfErrno, btfLoadAttr, Cmd } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { syscallError } from "../sys/errors.js";

/** Loads BTF into the kernel and returns its fd. */
export function loadBtf(blob: Uint8Array): number {
  const data = NativeMemory.from(blob);
  try {
    const fd = bpfErrno(Cmd.BTF_LOAD, btfLoadAttr(data, null, 0));
    if (fd >= 0) return fd;
    const log = new NativeMemory(1 << 16);
    try {
      log.bytes[0] = 0;
      const again = bpfErrno(Cmd.BTF_LOAD, btfLoadAttr(data, log, 1));
      if (again >= 0) return again;
      const end = log.bytes.indexOf(0);
      const text = log.bytes.toString("utf8", 0, end < 0 ? log.size : end).trim();
      throw syscallError("BPF_BTF_LOAD", -again, text ? `the kernel's BTF log:\n${text}` : undefined);
    } finally {
      log.free();
    }
  } finally {
    data.free();
  }
}
