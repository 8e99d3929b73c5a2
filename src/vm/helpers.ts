// The kernel helpers the VM emulates. Each reads its arguments from r1..r5 and leaves its result
// in r0, with the kernel's return conventions (0 or -errno, pointers or NULL). Pointer arguments
// are bounds-checked like loads and stores: a helper reading past a buffer stops the run with the
// call instruction and the address.
import { HELPERS } from "../asm/helpers.js";
import { Errno } from "../errors.js";
import { FUNC_PTR_HI } from "./decode.js";
import { VmPerfEventArray, VmRingBufMap } from "./events.js";
import { joinBig } from "./int64.js";
import type { HelperFn, Machine } from "./machine.js";
import { MAP_PTR_HI, VmArrayMap, VmHashMap, VmLocalStorageMap, VmMap, VmRefMap, type TailCallable } from "./maps.js";
import { MAX_TAIL_CALLS } from "./machine.js";
import { RegionKind, type Region } from "./memory.js";

/** The task a program thinks it runs in (bpf_get_current_*). */
export interface TaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  /** At most 15 characters are visible, like the kernel's TASK_COMM_LEN. */
  comm: string;
  cgroupId: bigint;
}

export interface Redirect {
  ifindex: number;
  flags: number;
  map?: string;
  key?: number;
}

/** Where the packet lives during a run. */
export interface PacketState {
  kind: "none" | "xdp" | "skb";
  buffer: Uint8Array;
  metaStart: number;
  dataStart: number;
  dataEnd: number;
  /** Where the tail may grow to (xdp_adjust_tail). */
  frameEnd: number;
  redirect: Redirect | null;
}

/**
 * What the helpers need from the VM that runs them: the task and CPU a program believes it runs
 * on, the clock, the packet under test, the registered maps and the trace output. Vm implements it.
 */
export interface HelperEnv {
  readonly cpu: number;
  readonly task: TaskInfo;
  readonly packet: PacketState;
  /** The opaque task_struct bpf_get_current_task returns. */
  readonly currentTask: Region;
  mapById(id: number): VmMap | undefined;
  /** The value of bpf_ktime_get_ns now. */
  now(): bigint;
  /** The next bpf_get_prandom_u32. */
  random(): number;
  traceLine(line: string): void;
  /** The bytes from data to data_end. */
  packetBytes(): Uint8Array;
  /** Moves data_meta / data / data_end. */
  setPacketWindow(meta: number, data: number, end: number): void;
}

const BPF_F_CURRENT_CPU = 0xffffffff;
const XDP_ABORTED = 0,
  XDP_REDIRECT = 4;
const TC_ACT_SHOT = 2,
  TC_ACT_REDIRECT = 7;
const BPF_F_INGRESS = 1;
const ETH_HLEN = 14;
const XDP_FRAME_SIZE = 40; // sizeof(struct xdp_frame), kept at the start of the headroom

/** The map an argument register points at (the value of `lddw rX, map[fd]`). */
function mapArg(vm: HelperEnv, m: Machine, i: number): VmMap {
  const R = m.regs;
  const map = R[i * 2 + 1] === MAP_PTR_HI ? vm.mapById(R[i * 2]!) : undefined;
  if (map === undefined) throw m.fault(`argument r${i} of the helper is not a map (0x${m.argU64(i).toString(16)})`);
  return map;
}

/** The function pointer in an argument (lddw src_reg 4). */
function funcArg(m: Machine, i: number): number {
  if (m.regs[i * 2 + 1] !== FUNC_PTR_HI) throw m.fault(`argument r${i} of the helper is not a callback function`);
  return m.regs[i * 2]!;
}

/** A C string at a pointer argument (for %s, strncmp): bytes up to NUL within the region. */
function cString(m: Machine, hi: number, lo: number, max: number): string | undefined {
  const r = m.memory.regionOf(hi);
  const a = lo >>> 0;
  if (r === undefined || a < r.start || a >= r.end) return undefined;
  const end = Math.min(r.end, a + max);
  let n = a;
  while (n < end && r.bytes[n] !== 0) n++;
  return Buffer.from(r.bytes.buffer, r.bytes.byteOffset + a, n - a).toString("latin1");
}

/**
 * The kernel's printf for bpf_trace_printk / bpf_snprintf (bpf_bprintf_prepare): flags `0+- `,
 * a width, `l`/`ll`, and d i u x X, c, s, p (%pK, %px); `%%`. Undefined when the kernel would
 * refuse the format (-EINVAL): another conversion, or more conversions than `maxArgs`.
 */
export function formatPrintk(
  m: Machine,
  fmt: string,
  args: readonly [number, number][],
  maxArgs = args.length,
): string | undefined {
  let out = "";
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    if (fmt[i + 1] === "%") {
      out += "%";
      i++;
      continue;
    }
    let j = i + 1;
    let flags = "";
    while ("0+- ".includes(fmt[j] ?? "x") && fmt[j] !== undefined) flags += fmt[j++];
    let width = "";
    while (fmt[j] !== undefined && fmt[j]! >= "0" && fmt[j]! <= "9") width += fmt[j++];
    let long = 0;
    while (fmt[j] === "l" && long < 2) {
      long++;
      j++;
    }
    const conv = fmt[j];
    if (conv === undefined || !"diuxXcsp".includes(conv) || (long > 0 && !"diuxX".includes(conv))) return undefined;
    if (next >= maxArgs) return undefined;
    const [lo, hi] = args[next++] ?? [0, 0];
    let text: string;
    switch (conv) {
      case "d":
      case "i": {
        const v = long ? BigInt.asIntN(64, joinBig(lo, hi)) : BigInt(lo | 0);
        text =
          (v < 0n ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + (v < 0n ? -v : v).toString();
        break;
      }
      case "u":
      case "x":
      case "X":
        text = (long ? joinBig(lo, hi) : BigInt(lo >>> 0)).toString(conv === "u" ? 10 : 16);
        if (conv === "X") text = text.toUpperCase();
        break;
      case "c":
        text = String.fromCharCode(lo & 0xff);
        break;
      case "s":
        text = cString(m, hi, lo, 4096) ?? "(efault)";
        break;
      default: // %p, %pK, %px: the value in hex
        if (fmt[j + 1] === "K" || fmt[j + 1] === "x") j++;
        text = `0x${joinBig(lo, hi).toString(16)}`;
    }
    const w = Number(width || 0);
    if (text.length < w) {
      if (flags.includes("-")) text = text.padEnd(w);
      else if (flags.includes("0") && conv !== "s" && conv !== "c") {
        const sign = /^[-+ ]/.test(text) ? text[0]! : "";
        text = sign + text.slice(sign.length).padStart(w - sign.length, "0");
      } else text = text.padStart(w);
    }
    out += text;
    i = j;
  }
  return out;
}

/** Copies `len` bytes from a source pointer (ri) into a destination (rj); false on a bad source. */
function probeRead(m: Machine, dst: Uint8Array, srcReg: number): boolean {
  const R = m.regs;
  const src = m.tryBytesAt(R[srcReg * 2 + 1]!, R[srcReg * 2]!, dst.length);
  if (src === undefined) {
    dst.fill(0);
    return false;
  }
  dst.set(src);
  return true;
}

function probeReadStr(m: Machine): void {
  const size = m.argU32(2);
  if (size === 0) {
    m.setR0Int(0);
    return;
  }
  const dst = m.argBytes(1, size, "write");
  const R = m.regs;
  const r = m.memory.regionOf(R[7]!);
  const a = R[6]! >>> 0;
  if (r === undefined || a < r.start || a >= r.end) {
    dst.fill(0);
    m.setR0Int(-Errno.EFAULT);
    return;
  }
  let n = 0;
  while (n < size - 1 && a + n < r.end && r.bytes[a + n] !== 0) {
    dst[n] = r.bytes[a + n]!;
    n++;
  }
  dst[n] = 0;
  m.setR0Int(n + 1);
}

/** The helper table of a VM, by id. */
export function defaultHelpers(vm: HelperEnv): (HelperFn | undefined)[] {
  const t: (HelperFn | undefined)[] = [];
  const H = HELPERS;
  const keyOf = (m: Machine, map: VmMap, reg: number): Uint8Array => m.argCopy(reg, map.keySize, 0);

  t[H.map_lookup_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    map.progLookup(m, keyOf(m, map, 2));
  };
  t[H.map_update_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    if (map instanceof VmRefMap) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    m.setR0Int(map.progUpdate(keyOf(m, map, 2), m.argCopy(3, map.valueSize, 1), m.argU32(4) + m.regs[9]! * 4294967296));
  };
  t[H.map_delete_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    m.setR0Int(map.progDelete(keyOf(m, map, 2)));
  };
  t[H.map_push_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    m.setR0Int(map.progPush(m.argBytes(2, map.valueSize), m.argU32(3)));
  };
  t[H.map_pop_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    m.setR0Int(map.progPop(m.argBytes(2, map.valueSize, "write")));
  };
  t[H.map_peek_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    // bloom filters check membership of the value; queues copy the next value out
    const out = m.argBytes(2, map.valueSize, map.type === 30 ? "read" : "write");
    m.setR0Int(map.progPeek(out));
  };
  t[H.map_lookup_percpu_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    if (map instanceof VmHashMap || map instanceof VmArrayMap) map.lookupOnCpu(m, keyOf(m, map, 2), m.argU32(3));
    else m.setR0(0, 0);
  };

  const clock = (m: Machine): void => m.setR0Big(vm.now());
  t[H.ktime_get_ns] = clock;
  t[H.ktime_get_boot_ns] = clock;
  t[H.ktime_get_coarse_ns] = clock;
  t[H.ktime_get_tai_ns] = clock;
  t[H.jiffies64] = (m) => m.setR0Big(vm.now() / 4_000_000n);
  t[H.get_prandom_u32] = (m) => m.setR0(vm.random(), 0);
  t[H.get_smp_processor_id] = (m) => m.setR0(vm.cpu, 0);
  t[H.get_numa_node_id] = (m) => m.setR0(0, 0);
  t[H.get_current_pid_tgid] = (m) => m.setR0(vm.task.pid, vm.task.tgid);
  t[H.get_current_uid_gid] = (m) => m.setR0(vm.task.uid, vm.task.gid);
  t[H.get_current_cgroup_id] = (m) => m.setR0Big(vm.task.cgroupId);
  t[H.get_current_comm] = (m) => {
    const size = m.argU32(2);
    const buf = m.argBytes(1, size, "write");
    if (size === 0) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    const comm = Buffer.from(vm.task.comm, "latin1").subarray(0, Math.min(15, size - 1));
    buf.fill(0);
    buf.set(comm);
    m.setR0Int(0);
  };
  t[H.spin_lock] = (m) => m.setR0(0, 0);
  t[H.spin_unlock] = (m) => m.setR0(0, 0);

  t[H.trace_printk] = (m) => {
    const size = m.argU32(2);
    const fmtBytes = m.argBytes(1, size);
    const nul = fmtBytes.indexOf(0);
    if (nul < 0) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    const fmt = Buffer.from(fmtBytes.buffer, fmtBytes.byteOffset, nul).toString("latin1");
    const R = m.regs;
    const text = formatPrintk(
      m,
      fmt,
      [
        [R[6]!, R[7]!],
        [R[8]!, R[9]!],
        [R[10]!, R[11]!],
      ],
      3,
    );
    if (text === undefined) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    vm.traceLine(text);
    m.setR0Int(Buffer.byteLength(text, "latin1"));
  };

  for (const id of [H.probe_read, H.probe_read_kernel, H.probe_read_user]) {
    t[id] = (m) => {
      const dst = m.argBytes(1, m.argU32(2), "write");
      m.setR0Int(probeRead(m, dst, 3) ? 0 : -Errno.EFAULT);
    };
  }
  for (const id of [H.probe_read_str, H.probe_read_kernel_str, H.probe_read_user_str]) t[id] = probeReadStr;
  t[H.strncmp] = (m) => {
    const n = m.argU32(2);
    const a = m.argBytes(1, n);
    const b = cString(m, m.regs[7]!, m.regs[6]!, n + 1);
    if (b === undefined) throw m.fault("strncmp: r3 is not a readable string");
    for (let i = 0; i < n; i++) {
      const x = a[i]!,
        y = i < b.length ? b.charCodeAt(i) : 0;
      if (x !== y) {
        m.setR0Int(x < y ? -1 : 1);
        return;
      }
      if (x === 0) break;
    }
    m.setR0Int(0);
  };

  // ---- packets ----
  t[H.skb_load_bytes] = t[H.xdp_load_bytes] = (m) => {
    const offset = m.argI32(2),
      len = m.argU32(4);
    const to = m.argBytes(3, len, "write");
    const p = vm.packetBytes();
    if (offset < 0 || len === 0 || offset + len > p.length) {
      to.fill(0);
      m.setR0Int(-Errno.EFAULT);
      return;
    }
    to.set(p.subarray(offset, offset + len));
    m.setR0Int(0);
  };
  t[H.skb_store_bytes] = t[H.xdp_store_bytes] = (m) => {
    const offset = m.argI32(2),
      len = m.argU32(4);
    const from = m.argBytes(3, len);
    const p = vm.packetBytes();
    if (offset < 0 || offset + len > p.length) {
      m.setR0Int(-Errno.EFAULT);
      return;
    }
    p.set(from, offset);
    m.setR0Int(0);
  };
  t[H.skb_pull_data] = (m) => m.setR0Int(0);
  t[H.xdp_get_buff_len] = (m) => m.setR0(vm.packetBytes().length, 0);
  t[H.xdp_adjust_head] = (m) => {
    const pk = vm.packet;
    const delta = m.argI32(2);
    const metalen = pk.dataStart - pk.metaStart;
    const data = pk.dataStart + delta;
    if (data < XDP_FRAME_SIZE + metalen || data > pk.dataEnd - ETH_HLEN) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    if (metalen) pk.buffer.copyWithin(pk.metaStart + delta, pk.metaStart, pk.dataStart);
    vm.setPacketWindow(pk.metaStart + delta, data, pk.dataEnd);
    m.setR0Int(0);
  };
  t[H.xdp_adjust_meta] = (m) => {
    const pk = vm.packet;
    const meta = pk.metaStart + m.argI32(2);
    const metalen = pk.dataStart - meta;
    if (meta < XDP_FRAME_SIZE || meta > pk.dataStart) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    if ((metalen & 3) !== 0 || metalen > 32) {
      m.setR0Int(-Errno.EACCES);
      return;
    }
    vm.setPacketWindow(meta, pk.dataStart, pk.dataEnd);
    m.setR0Int(0);
  };
  t[H.xdp_adjust_tail] = (m) => {
    const pk = vm.packet;
    const delta = m.argI32(2);
    const end = pk.dataEnd + delta;
    if (end > pk.frameEnd || end < pk.dataStart + ETH_HLEN) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    if (delta > 0) pk.buffer.fill(0, pk.dataEnd, end);
    vm.setPacketWindow(pk.metaStart, pk.dataStart, end);
    m.setR0Int(0);
  };
  t[H.redirect] = (m) => {
    const ifindex = m.argU32(1),
      flags = m.argU32(2) + m.regs[5]! * 4294967296;
    const xdp = vm.packet.kind === "xdp";
    if (xdp ? flags !== 0 : (flags & ~BPF_F_INGRESS) !== 0) {
      m.setR0Int(xdp ? XDP_ABORTED : TC_ACT_SHOT);
      return;
    }
    vm.packet.redirect = { ifindex, flags };
    m.setR0Int(xdp ? XDP_REDIRECT : TC_ACT_REDIRECT);
  };
  t[H.redirect_map] = (m) => {
    const map = mapArg(vm, m, 1);
    const key = m.argU32(2),
      flags = m.argU32(3);
    const k = new Uint8Array(4);
    new DataView(k.buffer).setUint32(0, key, true);
    const value = map instanceof VmHashMap ? map.rawGet(k) : undefined;
    if (value === undefined) {
      m.setR0Int(flags & 3);
      return;
    }
    vm.packet.redirect = {
      ifindex: new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true),
      flags,
      map: map.name,
      key,
    };
    m.setR0Int(XDP_REDIRECT);
  };
  t[H.tail_call] = (m) => {
    const map = mapArg(vm, m, 2);
    if (!(map instanceof VmRefMap)) throw m.fault("tail_call: r2 is not a program array");
    const target = map.refAtIndex(m.argU32(3)) as TailCallable | undefined;
    if (target === undefined || m.tailCalls >= MAX_TAIL_CALLS) return; // falls through, like the kernel
    m.tailCalls++;
    m.tailCallTarget = target.decoded;
  };

  // ---- events ----
  t[H.perf_event_output] = (m) => {
    const map = mapArg(vm, m, 2);
    if (!(map instanceof VmPerfEventArray)) throw m.fault("perf_event_output: r2 is not a perf event array");
    const flagsLo = m.argU32(3),
      flagsHi = m.regs[7]! >>> 0;
    if ((flagsHi & 0xfff00000) !== 0) {
      m.setR0Int(-Errno.EINVAL);
      return;
    } // only BPF_F_CTXLEN_MASK may be set up there
    const index = flagsLo === BPF_F_CURRENT_CPU ? vm.cpu : flagsLo;
    m.setR0Int(map.output(index, m.argBytes(4, m.argU32(5))));
  };
  const ringArg = (m: Machine, i: number): VmRingBufMap => {
    const map = mapArg(vm, m, i);
    if (!(map instanceof VmRingBufMap)) throw m.fault(`argument r${i} is not a ring buffer`);
    return map;
  };
  t[H.ringbuf_output] = (m) => {
    const ring = ringArg(m, 1);
    const flags = m.argU32(4);
    if ((flags & ~3) !== 0) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    m.setR0Int(ring.output(m.argBytes(2, m.argU32(3))));
  };
  t[H.ringbuf_reserve] = (m) => {
    const ring = ringArg(m, 1);
    const r = m.argU64(3) === 0n ? ring.reserve(m.argU32(2) + (m.regs[5]! !== 0 ? 2 ** 32 : 0)) : null;
    if (r === null) m.setR0(0, 0);
    else m.setR0(r.start, r.hi);
  };
  const commit =
    (discard: boolean): HelperFn =>
    (m) => {
      const region = m.memory.regionOf(m.regs[3]!);
      const ring = region?.owner;
      if (
        region === undefined ||
        region.kind !== RegionKind.RINGBUF ||
        !(ring instanceof VmRingBufMap) ||
        m.regs[2]! >>> 0 !== region.start
      ) {
        throw m.fault(`ringbuf_${discard ? "discard" : "submit"}: r1 is not a reserved ring buffer record`);
      }
      ring.commit(region, discard, (m.argU32(2) & 1) === 0);
      m.setR0(0, 0);
    };
  t[H.ringbuf_submit] = commit(false);
  t[H.ringbuf_discard] = commit(true);
  t[H.ringbuf_query] = (m) => {
    const ring = ringArg(m, 1);
    m.setR0Big(BigInt(ring.query(m.argU32(2))));
  };

  // ---- the current task, and storage attached to tasks, sockets, inodes, cgroups ----
  t[H.get_current_task] = t[H.get_current_task_btf] = (m) => {
    const r = vm.currentTask;
    m.setR0(r.start, r.hi);
  };
  const storageGet: HelperFn = (m) => {
    const map = mapArg(vm, m, 1);
    if (!(map instanceof VmLocalStorageMap)) throw m.fault("the storage helpers need a local storage map in r1");
    const R = m.regs;
    const flags = m.argU64(4);
    if ((flags & ~1n) !== 0n) {
      m.setR0(0, 0);
      return;
    }
    const init = R[6] === 0 && R[7] === 0 ? null : m.argCopy(3, map.valueSize, 0);
    map.storageGet(m, R[5]!, R[4]!, init, flags === 1n);
  };
  const storageDelete: HelperFn = (m) => {
    const map = mapArg(vm, m, 1);
    if (!(map instanceof VmLocalStorageMap)) throw m.fault("the storage helpers need a local storage map in r1");
    m.setR0Int(map.storageDelete(m.regs[5]!, m.regs[4]!));
  };
  for (const id of [H.sk_storage_get, H.task_storage_get, H.inode_storage_get, H.cgrp_storage_get]) t[id] = storageGet;
  for (const id of [H.sk_storage_delete, H.task_storage_delete, H.inode_storage_delete, H.cgrp_storage_delete])
    t[id] = storageDelete;

  // ---- callbacks ----
  t[H.loop] = (m) => {
    const nr = m.argU32(1);
    const fn = funcArg(m, 2);
    const ctx = m.argU64(3);
    if (m.argU64(4) !== 0n) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    if (nr > 1 << 23) {
      m.setR0Int(-Errno.E2BIG);
      return;
    }
    let i = 0;
    for (; i < nr; i++)
      if (m.invoke(fn, [i, ctx]) !== 0n) {
        i++;
        break;
      }
    m.setR0(i, 0);
  };
  t[H.for_each_map_elem] = (m) => {
    const map = mapArg(vm, m, 1);
    const fn = funcArg(m, 2);
    const ctx = m.argU64(3);
    if (m.argU64(4) !== 0n) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    const handle = joinBig(map.id, MAP_PTR_HI);
    const n = map.forEachElement(
      (key, value) => m.invoke(fn, [handle, joinBig(key.start, key.hi), joinBig(value.start, value.hi), ctx]) !== 0n,
    );
    m.setR0Int(n);
  };
  t[H.snprintf] = (m) => {
    // (str, str_size, fmt, data, data_len): data is an array of u64 arguments
    const size = m.argU32(2);
    const out = m.argBytes(1, size, "write");
    const fmt = cString(m, m.regs[7]!, m.regs[6]!, 4096);
    if (fmt === undefined) throw m.fault("snprintf: r3 is not a readable format string");
    const dataLen = m.argU32(5);
    if (dataLen % 8 !== 0) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    const data = dataLen ? m.argBytes(4, dataLen) : new Uint8Array(0);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const args: [number, number][] = [];
    for (let i = 0; i < dataLen; i += 8) args.push([dv.getInt32(i, true), dv.getInt32(i + 4, true)]);
    const formatted = formatPrintk(m, fmt, args, 12);
    if (formatted === undefined) {
      m.setR0Int(-Errno.EINVAL);
      return;
    }
    const text = Buffer.from(formatted, "latin1");
    if (size > 0) {
      const n = Math.min(text.length, size - 1);
      out.set(text.subarray(0, n));
      out[n] = 0;
    }
    m.setR0Int(text.length + 1);
  };
  return t;
}
