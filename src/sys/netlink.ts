// rtnetlink over an AF_NETLINK socket: what the network program kinds need to attach the
// pre-link way (XDP through IFLA_XDP, clsact qdiscs and cls_bpf filters) and to see what is
// attached. A socket belongs to the network namespace of the thread that opened it, so an
// attachment keeps the socket it was made with and undoes itself in the same namespace later.
import { lastErrno, native, NativeMemory } from "./libc.js";
import { Errno } from "../errors.js";
import { SyscallError, TargetNotFoundError } from "./errors.js";

const AF_NETLINK = 16,
  AF_UNSPEC = 0;
const SOCK_RAW = 3,
  SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1,
  SO_RCVTIMEO = 20;
const SOL_NETLINK = 270,
  NETLINK_CAP_ACK = 10,
  NETLINK_EXT_ACK = 11;

/** nlmsghdr flags. */
export const NlmFlags = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

const NLMSG_NOOP = 1,
  NLMSG_ERROR = 2,
  NLMSG_DONE = 3;
const NLMSGERR_ATTR_MSG = 1;
const NLA_F_NESTED = 0x8000;
const NLMSG_HDRLEN = 16;

/** rtnetlink message types. */
export const Rtm = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWQDISC: 36,
  DELQDISC: 37,
  GETQDISC: 38,
  NEWTFILTER: 44,
  DELTFILTER: 45,
  GETTFILTER: 46,
} as const;

const RTM_NAMES: Record<number, string> = {
  16: "RTM_NEWLINK",
  17: "RTM_DELLINK",
  18: "RTM_GETLINK",
  19: "RTM_SETLINK",
  36: "RTM_NEWQDISC",
  37: "RTM_DELQDISC",
  38: "RTM_GETQDISC",
  44: "RTM_NEWTFILTER",
  45: "RTM_DELTFILTER",
  46: "RTM_GETTFILTER",
};

export const Ifla = { IFNAME: 3, XDP: 43 } as const;
export const IflaXdp = {
  FD: 1,
  ATTACHED: 2,
  FLAGS: 3,
  PROG_ID: 4,
  DRV_PROG_ID: 5,
  SKB_PROG_ID: 6,
  HW_PROG_ID: 7,
  EXPECTED_FD: 8,
} as const;
export const XdpFlags = { UPDATE_IF_NOEXIST: 1, SKB_MODE: 2, DRV_MODE: 4, HW_MODE: 8, REPLACE: 16 } as const;
const XDP_ATTACHED = ["none", "driver", "skb", "hw", "multi"] as const;
export type XdpAttachedMode = (typeof XDP_ATTACHED)[number];

export const Tca = { KIND: 1, OPTIONS: 2, CHAIN: 11 } as const;
export const TcaBpf = { CLASSID: 3, FD: 6, NAME: 7, FLAGS: 8, FLAGS_GEN: 9, TAG: 10, ID: 11 } as const;
export const TCA_BPF_FLAG_ACT_DIRECT = 1;

/** Traffic control handles (major:minor in 16 bits each). */
export const TcHandle = {
  CLSACT: 0xffff_fff1,
  MIN_INGRESS: 0xfff2,
  MIN_EGRESS: 0xfff3,
  /** The handle of the clsact (and ingress) qdisc: ffff:0. */
  CLSACT_QDISC: 0xffff_0000,
} as const;

/** TC_H_MAKE(major, minor). */
export function tcHandle(major: number, minor: number): number {
  return ((major & 0xffff_0000) | (minor & 0xffff)) >>> 0;
}

export const ETH_P_ALL = 0x0003;
export const ETH_P_IP = 0x0800;

/** Converts a 16-bit value between host (little-endian) and network byte order. */
export function htons(value: number): number {
  return ((value & 0xff) << 8) | ((value >> 8) & 0xff);
}

/** A network interface that does not exist (in the caller's network namespace). */
export class InterfaceNotFoundError extends TargetNotFoundError {
  override name = "InterfaceNotFoundError";
  constructor(
    readonly iface: string | number,
    reason = "no such interface in this network namespace",
  ) {
    super("network interface", typeof iface === "number" ? `ifindex ${iface}` : iface, reason);
  }
}

/** An interface named or numbered by the caller, resolved to its index. */
export interface ResolvedInterface {
  ifindex: number;
  /** The name the caller gave, or "ifindex N". */
  label: string;
}

/** Resolves an interface name (or checks an index) in the calling thread's namespace. */
export function resolveInterface(iface: string | number): ResolvedInterface {
  if (typeof iface === "number") {
    if (!Number.isInteger(iface) || iface <= 0)
      throw new InterfaceNotFoundError(iface, "an interface index is a positive integer");
    return { ifindex: iface, label: `ifindex ${iface}` };
  }
  if (iface.length === 0 || iface.length > 15)
    throw new InterfaceNotFoundError(iface, "interface names have 1 to 15 characters");
  const ifindex = native.ifNameToIndex(iface);
  if (ifindex === 0) throw new InterfaceNotFoundError(iface);
  return { ifindex, label: iface };
}

/** Whether an interface index exists in the calling thread's namespace (RTM_GETLINK). */
export function interfaceExists(ifindex: number, sock?: NetlinkSocket): boolean {
  try {
    withSocket(sock, (s) => s.request(new NetlinkMessage(Rtm.GETLINK, NlmFlags.REQUEST).raw(ifinfomsg(ifindex))));
    return true;
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === Errno.ENODEV) return false;
    throw err;
  }
}

/** A netlink request failed: the kernel's errno plus its own explanation (extended ack) when given. */
export class NetlinkError extends SyscallError {
  override name = "NetlinkError";
  constructor(
    operation: string,
    errno: number,
    readonly kernelMessage: string | undefined,
    detail?: string,
  ) {
    const parts = [detail, kernelMessage ? `kernel says: ${kernelMessage}` : undefined].filter(Boolean);
    super(operation, errno, parts.length ? parts.join("; ") : undefined);
  }
}

/** Builds one netlink message: header, a fixed family header, then attributes. */
export class NetlinkMessage {
  #chunks: Buffer[] = [];
  #length = NLMSG_HDRLEN;

  constructor(
    readonly type: number,
    readonly flags: number,
  ) {}

  /** Appends raw bytes (the family header), padded to 4. */
  raw(bytes: Buffer): this {
    const padded = align4(bytes.length);
    const chunk = padded === bytes.length ? bytes : Buffer.concat([bytes, Buffer.alloc(padded - bytes.length)]);
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }

  attr(type: number, payload: Buffer): this {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(4 + payload.length, 0);
    header.writeUInt16LE(type, 2);
    this.#chunks.push(header);
    this.#length += 4;
    return this.raw(payload);
  }

  u32(type: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    return this.attr(type, b);
  }
  i32(type: number, value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    return this.attr(type, b);
  }
  string(type: number, value: string): this {
    return this.attr(type, Buffer.from(value + "\0"));
  }

  /** A nested attribute: attributes added inside `fill` become its payload. */
  nested(type: number, fill: (m: this) => void): this {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(type | NLA_F_NESTED, 2);
    this.#chunks.push(header);
    const start = this.#length;
    this.#length += 4;
    fill(this);
    header.writeUInt16LE(this.#length - start, 0);
    return this;
  }

  encode(seq: number, extraFlags = 0): Buffer {
    const header = Buffer.alloc(NLMSG_HDRLEN);
    header.writeUInt32LE(this.#length, 0);
    header.writeUInt16LE(this.type, 4);
    header.writeUInt16LE(this.flags | extraFlags, 6);
    header.writeUInt32LE(seq >>> 0, 8);
    header.writeUInt32LE(0, 12);
    return Buffer.concat([header, ...this.#chunks], this.#length);
  }
}

/** A received message: its type, flags and the bytes after the netlink header. */
export interface ReceivedMessage {
  type: number;
  flags: number;
  seq: number;
  payload: Buffer;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Parses attributes (type → payload) from `buf`; nested flags are stripped from the type. */
export function parseAttrs(buf: Buffer, offset = 0, end = buf.length): Map<number, Buffer> {
  const attrs = new Map<number, Buffer>();
  while (offset + 4 <= end) {
    const len = buf.readUInt16LE(offset);
    const type = buf.readUInt16LE(offset + 2) & 0x3fff;
    if (len < 4 || offset + len > end) break;
    attrs.set(type, buf.subarray(offset + 4, offset + len));
    offset += align4(len);
  }
  return attrs;
}

function cString(buf: Buffer | undefined): string | undefined {
  if (!buf) return undefined;
  const end = buf.indexOf(0);
  return buf.toString("utf8", 0, end < 0 ? buf.length : end);
}

const RECV_SIZE = 64 * 1024;

/** An rtnetlink socket, bound to the network namespace of the thread that opened it. */
export class NetlinkSocket implements Disposable {
  #fd: number;
  #seq = Math.floor(Math.random() * 0x7fff_ffff);
  #recvBuf: NativeMemory | undefined = new NativeMemory(RECV_SIZE);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  static open(): NetlinkSocket {
    const fd = native.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) throw new SyscallError("socket(AF_NETLINK)", lastErrno());
    const sock = new NetlinkSocket(fd);
    try {
      const one = new NativeMemory(16);
      try {
        // Extended acks carry the kernel's own explanation of a refusal; capped acks keep them short.
        one.view.setInt32(0, 1, true);
        native.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one.address, 4);
        native.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one.address, 4);
        // rtnetlink answers synchronously; the timeout only guards against a reply that never comes.
        one.view.setBigInt64(0, 5n, true);
        one.view.setBigInt64(8, 0n, true);
        native.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, one.address, 16);
      } finally {
        one.free();
      }
    } catch (err) {
      sock.close();
      throw err;
    }
    return sock;
  }

  get fd(): number {
    if (this.#fd < 0) throw new Error("netlink socket is closed");
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * Sends `message` and collects the replies: for a dump every message up to NLMSG_DONE, otherwise
   * every message before the acknowledgement. Throws NetlinkError when the kernel refuses.
   */
  request(message: NetlinkMessage, detail?: string): ReceivedMessage[] {
    const operation = RTM_NAMES[message.type] ?? `netlink message ${message.type}`;
    const seq = ++this.#seq;
    const dump = (message.flags & NlmFlags.DUMP) === NlmFlags.DUMP;
    // Every other request asks for an acknowledgement: it marks the end of the replies.
    const bytes = message.encode(seq, dump ? 0 : NlmFlags.ACK);
    const out = NativeMemory.from(bytes);
    try {
      const sent = native.send(this.fd, out.address, bytes.length, 0);
      if (sent < 0) throw new SyscallError(`send(${operation})`, lastErrno(), detail);
    } finally {
      out.free();
    }

    const replies: ReceivedMessage[] = [];
    const buf = this.#recvBuf!;
    for (;;) {
      const n = native.recv(this.fd, buf.address, RECV_SIZE, 0);
      if (n < 0) {
        const errno = lastErrno();
        if (errno === Errno.EINTR) continue;
        throw new SyscallError(`recv(${operation})`, errno, detail);
      }
      let offset = 0;
      while (offset + NLMSG_HDRLEN <= n) {
        const len = buf.view.getUint32(offset, true);
        if (len < NLMSG_HDRLEN || offset + len > n) break;
        const type = buf.view.getUint16(offset + 4, true);
        const flags = buf.view.getUint16(offset + 6, true);
        const msgSeq = buf.view.getUint32(offset + 8, true);
        const payload = Buffer.from(buf.bytes.subarray(offset + NLMSG_HDRLEN, offset + len));
        offset += align4(len);
        if (msgSeq !== seq) continue; // a stale reply to an earlier request
        if (type === NLMSG_NOOP) continue;
        if (type === NLMSG_DONE) return replies;
        if (type === NLMSG_ERROR) {
          const error = -payload.readInt32LE(0);
          if (error === 0) {
            if (!dump) return replies;
            continue;
          }
          throw new NetlinkError(operation, error, extackMessage(payload, flags), detail);
        }
        replies.push({ type, flags, seq: msgSeq, payload });
      }
    }
  }

  close(): void {
    if (this.#fd >= 0) {
      native.close(this.#fd);
      this.#fd = -1;
    }
    this.#recvBuf?.free();
    this.#recvBuf = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The NLMSGERR_ATTR_MSG string of an error message, when the kernel sent one. */
function extackMessage(payload: Buffer, flags: number): string | undefined {
  if (!(flags & NlmFlags.ACK_TLVS)) return undefined;
  // error (4) + the original header, or the whole original message when the ack is not capped.
  let offset = 4 + NLMSG_HDRLEN;
  if (!(flags & NlmFlags.CAPPED) && payload.length >= 4 + NLMSG_HDRLEN) offset = 4 + align4(payload.readUInt32LE(4));
  return cString(parseAttrs(payload, offset).get(NLMSGERR_ATTR_MSG));
}

/** Runs `fn` with a socket: `sock` when given, else one opened (and closed) for the call. */
function withSocket<T>(sock: NetlinkSocket | undefined, fn: (s: NetlinkSocket) => T): T {
  if (sock) return fn(sock);
  const own = NetlinkSocket.open();
  try {
    return fn(own);
  } finally {
    own.close();
  }
}

// ---- links: XDP ------------------------------------------------------------------------------

function ifinfomsg(ifindex: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(AF_UNSPEC, 0);
  b.writeInt32LE(ifindex, 4);
  return b;
}

export interface XdpState {
  /** How programs are attached: "none", "driver", "skb" (generic), "hw", or "multi" (several modes). */
  attached: XdpAttachedMode;
  /** The program id when exactly one is attached, else 0. */
  progId: number;
  driverProgId: number;
  skbProgId: number;
  hwProgId: number;
}

/** What XDP programs an interface has (RTM_GETLINK, IFLA_XDP). */
export function xdpQuery(ifindex: number, sock?: NetlinkSocket): XdpState {
  const replies = withSocket(sock, (s) =>
    s.request(new NetlinkMessage(Rtm.GETLINK, NlmFlags.REQUEST).raw(ifinfomsg(ifindex)), `ifindex ${ifindex}`),
  );
  const state: XdpState = { attached: "none", progId: 0, driverProgId: 0, skbProgId: 0, hwProgId: 0 };
  for (const reply of replies) {
    if (reply.type !== Rtm.NEWLINK || reply.payload.readInt32LE(4) !== ifindex) continue;
    const xdp = parseAttrs(reply.payload, 16).get(Ifla.XDP);
    if (!xdp) continue;
    const inner = parseAttrs(xdp);
    const u32 = (type: number): number => inner.get(type)?.readUInt32LE(0) ?? 0;
    state.attached = XDP_ATTACHED[inner.get(IflaXdp.ATTACHED)?.readUInt8(0) ?? 0] ?? "multi";
    state.progId = u32(IflaXdp.PROG_ID);
    state.driverProgId = u32(IflaXdp.DRV_PROG_ID);
    state.skbProgId = u32(IflaXdp.SKB_PROG_ID);
    state.hwProgId = u32(IflaXdp.HW_PROG_ID);
    // With one program attached the kernel reports only PROG_ID: place it under its mode.
    if (state.attached === "driver" && !state.driverProgId) state.driverProgId = state.progId;
    if (state.attached === "skb" && !state.skbProgId) state.skbProgId = state.progId;
    if (state.attached === "hw" && !state.hwProgId) state.hwProgId = state.progId;
  }
  return state;
}

/**
 * RTM_SETLINK with IFLA_XDP: attaches program `fd` (or removes with fd -1). With XdpFlags.REPLACE,
 * `expectedFd` names the program that must be there now (-1: none).
 */
export function xdpSet(
  ifindex: number,
  fd: number,
  flags: number,
  expectedFd?: number,
  sock?: NetlinkSocket,
  detail?: string,
): void {
  const msg = new NetlinkMessage(Rtm.SETLINK, NlmFlags.REQUEST | NlmFlags.ACK)
    .raw(ifinfomsg(ifindex))
    .nested(Ifla.XDP, (m) => {
      m.i32(IflaXdp.FD, fd).u32(IflaXdp.FLAGS, flags);
      if (expectedFd !== undefined) m.i32(IflaXdp.EXPECTED_FD, expectedFd);
    });
  withSocket(sock, (s) => s.request(msg, detail ?? `ifindex ${ifindex}`));
}

// ---- traffic control: qdiscs and filters -----------------------------------------------------

function tcmsg(ifindex: number, handle: number, parent: number, info = 0): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt8(AF_UNSPEC, 0);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt32LE(handle >>> 0, 8);
  b.writeUInt32LE(parent >>> 0, 12);
  b.writeUInt32LE(info >>> 0, 16);
  return b;
}

export interface QdiscInfo {
  kind: string;
  handle: number;
  parent: number;
}

/** The qdiscs of an interface (RTM_GETQDISC dump, filtered to `ifindex`). */
export function qdiscList(ifindex: number, sock?: NetlinkSocket): QdiscInfo[] {
  const replies = withSocket(sock, (s) =>
    s.request(
      new NetlinkMessage(Rtm.GETQDISC, NlmFlags.REQUEST | NlmFlags.DUMP).raw(tcmsg(ifindex, 0, 0)),
      `ifindex ${ifindex}`,
    ),
  );
  const out: QdiscInfo[] = [];
  for (const r of replies) {
    if (r.type !== Rtm.NEWQDISC || r.payload.readInt32LE(4) !== ifindex) continue;
    out.push({
      kind: cString(parseAttrs(r.payload, 20).get(Tca.KIND)) ?? "",
      handle: r.payload.readUInt32LE(8),
      parent: r.payload.readUInt32LE(12),
    });
  }
  return out;
}

/** Adds the clsact qdisc. Returns false when the interface has one already. */
export function clsactAdd(ifindex: number, sock?: NetlinkSocket, detail?: string): boolean {
  const msg = new NetlinkMessage(Rtm.NEWQDISC, NlmFlags.REQUEST | NlmFlags.ACK | NlmFlags.CREATE | NlmFlags.EXCL)
    .raw(tcmsg(ifindex, TcHandle.CLSACT_QDISC, TcHandle.CLSACT))
    .string(Tca.KIND, "clsact");
  try {
    withSocket(sock, (s) => s.request(msg, detail ?? `clsact qdisc on ifindex ${ifindex}`));
    return true;
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === Errno.EEXIST) return false;
    throw err;
  }
}

/** Removes the clsact qdisc (and with it every filter on it). */
export function clsactDelete(ifindex: number, sock?: NetlinkSocket, detail?: string): void {
  const msg = new NetlinkMessage(Rtm.DELQDISC, NlmFlags.REQUEST | NlmFlags.ACK)
    .raw(tcmsg(ifindex, TcHandle.CLSACT_QDISC, TcHandle.CLSACT))
    .string(Tca.KIND, "clsact");
  withSocket(sock, (s) => s.request(msg, detail ?? `clsact qdisc on ifindex ${ifindex}`));
}

export interface BpfFilterSpec {
  ifindex: number;
  /** ffff:fff2 for ingress, ffff:fff3 for egress. */
  parent: number;
  progFd: number;
  /** Shown by `tc filter show`. */
  name: string;
  /** Filter priority (1..65535); 0 lets the kernel choose. */
  priority?: number;
  /** Filter handle; 0 lets the kernel choose. */
  handle?: number;
  /** EtherType in host order (default ETH_P_ALL). */
  protocol?: number;
  /** Direct action: the program's return value is the verdict (default true). */
  directAction?: boolean;
}

/** Where a filter was put: what RTM_DELTFILTER needs to remove exactly it. */
export interface FilterId {
  ifindex: number;
  parent: number;
  priority: number;
  handle: number;
  protocol: number;
}

/** Adds a cls_bpf filter (RTM_NEWTFILTER); the kernel echoes back the priority and handle it used. */
export function bpfFilterAdd(spec: BpfFilterSpec, sock?: NetlinkSocket, detail?: string): FilterId {
  const protocol = spec.protocol ?? ETH_P_ALL;
  const priority = spec.priority ?? 0;
  const msg = new NetlinkMessage(
    Rtm.NEWTFILTER,
    NlmFlags.REQUEST | NlmFlags.ACK | NlmFlags.CREATE | NlmFlags.EXCL | NlmFlags.ECHO,
  )
    .raw(tcmsg(spec.ifindex, spec.handle ?? 0, spec.parent, tcHandle(priority << 16, htons(protocol))))
    .string(Tca.KIND, "bpf")
    .nested(Tca.OPTIONS, (m) => {
      m.u32(TcaBpf.FD, spec.progFd).string(TcaBpf.NAME, spec.name);
      if (spec.directAction ?? true) m.u32(TcaBpf.FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
    });
  const replies = withSocket(sock, (s) => s.request(msg, detail));
  const echo = replies.find((r) => r.type === Rtm.NEWTFILTER);
  if (!echo) {
    if (priority && spec.handle)
      return { ifindex: spec.ifindex, parent: spec.parent, priority, handle: spec.handle, protocol };
    throw new Error("RTM_NEWTFILTER: the kernel did not echo the new filter, so it cannot be removed precisely");
  }
  const info = echo.payload.readUInt32LE(16);
  return {
    ifindex: spec.ifindex,
    parent: spec.parent,
    priority: info >>> 16,
    handle: echo.payload.readUInt32LE(8),
    protocol,
  };
}

/** Removes one filter (RTM_DELTFILTER). */
export function filterDelete(id: FilterId, kind = "bpf", sock?: NetlinkSocket, detail?: string): void {
  const msg = new NetlinkMessage(Rtm.DELTFILTER, NlmFlags.REQUEST | NlmFlags.ACK)
    .raw(tcmsg(id.ifindex, id.handle, id.parent, tcHandle(id.priority << 16, htons(id.protocol))))
    .string(Tca.KIND, kind);
  withSocket(sock, (s) => s.request(msg, detail));
}

export interface FilterInfo extends FilterId {
  kind: string;
  /** For cls_bpf filters: the program id, its name as given at attach time, and direct-action mode. */
  progId?: number;
  bpfName?: string;
  directAction?: boolean;
}

/**
 * The filters under `parent` (RTM_GETTFILTER dump). Only real filters are listed, not the
 * per-priority heads the kernel also reports (those have handle 0).
 */
export function filterList(ifindex: number, parent: number, sock?: NetlinkSocket): FilterInfo[] {
  let replies: ReceivedMessage[];
  try {
    replies = withSocket(sock, (s) =>
      s.request(
        new NetlinkMessage(Rtm.GETTFILTER, NlmFlags.REQUEST | NlmFlags.DUMP).raw(tcmsg(ifindex, 0, parent)),
        `ifindex ${ifindex}`,
      ),
    );
  } catch (err) {
    // No clsact qdisc: nothing can be attached under it.
    if (err instanceof NetlinkError && (err.errno === Errno.EINVAL || err.errno === Errno.ENOENT)) return [];
    throw err;
  }
  const out: FilterInfo[] = [];
  for (const r of replies) {
    if (r.type !== Rtm.NEWTFILTER || r.payload.readInt32LE(4) !== ifindex) continue;
    const handle = r.payload.readUInt32LE(8);
    if (handle === 0) continue;
    const info = r.payload.readUInt32LE(16);
    const attrs = parseAttrs(r.payload, 20);
    const kind = cString(attrs.get(Tca.KIND)) ?? "";
    const filter: FilterInfo = {
      ifindex,
      parent: r.payload.readUInt32LE(12),
      priority: info >>> 16,
      handle,
      protocol: htons(info & 0xffff),
      kind,
    };
    const options = attrs.get(Tca.OPTIONS);
    if (kind === "bpf" && options) {
      const o = parseAttrs(options);
      filter.progId = o.get(TcaBpf.ID)?.readUInt32LE(0);
      filter.bpfName = cString(o.get(TcaBpf.NAME));
      const flags = o.get(TcaBpf.FLAGS)?.readUInt32LE(0) ?? 0;
      filter.directAction = (flags & TCA_BPF_FLAG_ACT_DIRECT) !== 0;
    }
    out.push(filter);
  }
  return out;
}
