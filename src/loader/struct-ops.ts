// Registering a struct_ops map with its kernel subsystem (a TCP congestion control with TCP, …).
// The map's one value is the kernel struct with program fds in its function pointers. Without
// BPF_F_LINK, writing the value registers it and deleting it unregisters; with BPF_F_LINK, writing
// only prepares it and a BPF_LINK_CREATE (attach type BPF_STRUCT_OPS) registers it until the link
// is closed.
import { BtfBuilder } from "../btf/encoder.js";
import { loadBtf } from "../btf/load.js";
import { Errno, TsbpfError } from "../errors.js";
import { createMap } from "../maps/handle.js";
import type { KernelStructOps } from "../object/struct-ops.js";
import { Link, type Attachment } from "../links/link.js";
import { Cmd, bpfErrno, closeFd, linkCreate, mapElemAttr } from "../sys/bpf.js";
import { SyscallError, syscallError } from "../sys/errors.js";
import { NativeMemory } from "../sys/libc.js";
import { AttachType, MapFlags, MapType } from "../uapi.js";

/** A struct_ops map registered by its value alone: detaching deletes the value. */
class StructOpsRegistration implements Attachment {
  #mapFd: number;
  constructor(
    mapFd: number,
    readonly description: string,
  ) {
    this.#mapFd = mapFd;
  }

  detach(): void {
    if (this.#mapFd < 0) return;
    const fd = this.#mapFd;
    this.#mapFd = -1;
    const key = NativeMemory.from(new Uint8Array(4));
    try {
      const ret = bpfErrno(Cmd.MAP_DELETE_ELEM, mapElemAttr(fd, key.address, 0, 0));
      if (ret < 0 && -ret !== Errno.ENOENT) throw syscallError("BPF_MAP_DELETE_ELEM", -ret, this.description);
    } finally {
      key.free();
    }
  }

  [Symbol.dispose](): void {
    this.detach();
  }
}

/**
 * Registers the struct_ops map `mapFd` whose value is `value` (program fds in place). `link`:
 * the map was made with BPF_F_LINK. The attachment unregisters on detach().
 */
export function registerStructOps(mapFd: number, value: Uint8Array, link: boolean, what: string): Attachment {
  const key = NativeMemory.from(new Uint8Array(4));
  const val = NativeMemory.from(value);
  try {
    const ret = bpfErrno(Cmd.MAP_UPDATE_ELEM, mapElemAttr(mapFd, key.address, val.address, 0));
    // A link's map keeps its value once written; registering it again needs only a new link.
    if (ret < 0 && !(link && -ret === Errno.EBUSY))
      throw registrationError(syscallError("BPF_MAP_UPDATE_ELEM", -ret, what), what);
  } finally {
    key.free();
    val.free();
  }
  if (!link) return new StructOpsRegistration(mapFd, `${what} (registered)`);
  let fd: number;
  try {
    fd = linkCreate(mapFd, 0, AttachType.STRUCT_OPS, 0, { kind: "none" }, what);
  } catch (err) {
    throw registrationError(err, what);
  }
  return new Link(fd, `${what} (link)`);
}

function registrationError(err: unknown, what: string): unknown {
  if (!(err instanceof SyscallError)) return err;
  // Without a link the kernel takes a struct_ops map's value once: unregistered, the map is spent.
  const hint =
    err.errno === Errno.EEXIST
      ? ": the kernel already has one of that name (unregister it, or rename it)"
      : err.errno === Errno.EBUSY
        ? ": it is registered, or was and cannot be again without a link (load the object again, or declare it in .struct_ops.link)"
        : "";
  return new TsbpfError(`registering ${what} failed${hint} (${err.message})`, { cause: err });
}

/**
 * Creates the STRUCT_OPS map of a struct_ops laid out for the kernel. The kernel reaches the
 * struct through a BTF object of the caller's (`btfFd`, an object's own); without one, a BTF of
 * one int does (kernel TypeScript has no object BTF of its own; the kernel refuses an empty one).
 */
export function createStructOpsMap(name: string, k: KernelStructOps, link: boolean, btfFd?: number): number {
  const ownBtf = btfFd === undefined ? loadBtf(placeholderBtf()) : -1;
  try {
    return createMap({
      type: MapType.STRUCT_OPS,
      name,
      keySize: 4,
      valueSize: k.valueSize,
      maxEntries: 1,
      flags: link ? MapFlags.LINK : 0,
      btf: { fd: btfFd ?? ownBtf, keyTypeId: 0, valueTypeId: 0 },
      btfVmlinuxValueTypeId: k.valueTypeId,
    }).fd;
  } finally {
    if (ownBtf >= 0) closeFd(ownBtf);
  }
}

function placeholderBtf(): Uint8Array {
  const b = new BtfBuilder();
  b.addInt("int", 4, { signed: true });
  return b.build();
}

/** The map value of a laid-out struct_ops with the programs' fds in its function pointers. */
export function structOpsValue(
  k: KernelStructOps,
  programFd: (name: string) => number | undefined,
  what: string,
): Uint8Array {
  const value = new Uint8Array(k.value);
  const view = new DataView(value.buffer);
  for (const p of k.programs) {
    const fd = programFd(p.program);
    if (fd === undefined)
      throw new TsbpfError(`${what}: member "${p.member}" points to program "${p.program}", which was not loaded`);
    view.setBigUint64(p.offset, BigInt(fd), true);
  }
  return value;
}
