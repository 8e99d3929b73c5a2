// The count program in use: its two per-CPU maps, the loaded program and one XDP link per
// interface. read() sums the CPUs' values in user space.
import { PerCpuHashMap, type KeyValueMap } from "../../maps/index.js";
import type { Attachment } from "../../links/link.js";
import type { XdpProgram, XdpMode } from "../../programs/xdp.js";
import { programIdentity } from "../../programs/net-common.js";
import { NotSupportedError, SyscallError } from "../../sys/errors.js";
import { attachXdpLink, describeXdpAttachment, isLinkAttachment, loadXdpProgram } from "../common/xdp.js";
import type { InterfaceTarget } from "../common/interfaces.js";
import { countProgram, type CountProgramSource, type CounterValue, type CountMapSpec } from "./program.js";

export interface Traffic { packets: bigint; bytes: bigint }
export interface EtherTypeCount extends Traffic { ifindex: number; etherType: number }
export interface IpProtocolCount extends Traffic { ifindex: number; ipVersion: number; protocol: number }

/** Totals since the program was attached, summed over CPUs. */
export interface CountTotals {
  etherTypes: EtherTypeCount[];
  ipProtocols: IpProtocolCount[];
}

export interface AttachedInterface {
  target: InterfaceTarget;
  /** e.g. "xdp on veth1 (driver mode, link)" */
  description: string;
  /** A bpf_link (gone with the process), not a netlink fallback. */
  link: boolean;
}

export interface CounterOptions {
  interfaces: readonly InterfaceTarget[];
  /** XDP mode (default "auto": native where the driver has it). */
  mode?: XdpMode;
  /** Warnings (netlink fallback on kernels without XDP links). */
  warn?: (message: string) => void;
  /** The program to load (default: countProgram()). */
  source?: CountProgramSource;
}

function createMap<K>(spec: CountMapSpec<K>): PerCpuHashMap<K, CounterValue> {
  return PerCpuHashMap.create({ name: spec.name, key: spec.key, value: spec.value, maxEntries: spec.maxEntries });
}

/** Reads a whole per-CPU map: one BPF_MAP_LOOKUP_BATCH, or key by key on kernels without batch ops. */
function readAll<K>(map: KeyValueMap<K, CounterValue[]>): [K, Traffic][] {
  let entries: [K, CounterValue[]][];
  try {
    entries = map.lookupBatch();
  } catch (err) {
    if (!(err instanceof NotSupportedError) && !(err instanceof SyscallError)) throw err;
    entries = [...map.entries()];
  }
  return entries.map(([key, perCpu]) => {
    let packets = 0n, bytes = 0n;
    for (const c of perCpu) { packets += c.packets; bytes += c.bytes; }
    return [key, { packets, bytes }];
  });
}

type EtherMap = PerCpuHashMap<{ ifindex: number; etherType: number; pad: number }, CounterValue>;
type IpMap = PerCpuHashMap<{ ifindex: number; ipVersion: number; protocol: number; pad: number }, CounterValue>;

export class PacketCounter implements Disposable {
  readonly #etherTypes: EtherMap;
  readonly #ipProtocols: IpMap;
  readonly #program: XdpProgram;
  readonly #attachments: Attachment[];
  readonly interfaces: readonly AttachedInterface[];
  /** The kernel's id of the loaded program (as `bpftool prog` shows it). */
  readonly programId: number;
  readonly origin: CountProgramSource["origin"];
  #closed = false;

  private constructor(parts: {
    etherTypes: EtherMap; ipProtocols: IpMap; program: XdpProgram;
    programId: number; attachments: Attachment[]; interfaces: AttachedInterface[]; origin: CountProgramSource["origin"];
  }) {
    this.#etherTypes = parts.etherTypes;
    this.#ipProtocols = parts.ipProtocols;
    this.#program = parts.program;
    this.#attachments = parts.attachments;
    this.interfaces = parts.interfaces;
    this.origin = parts.origin;
    this.programId = parts.programId;
  }

  /** Creates the maps, loads the program and attaches it to every interface; on failure releases what it made. */
  static attach(options: CounterOptions): PacketCounter {
    const source = options.source ?? countProgram();
    const mode = options.mode ?? "auto";
    const warn = options.warn ?? ((): void => {});
    const release: (() => void)[] = [];
    try {
      const etherTypes = createMap(source.maps.etherTypes);
      release.push(() => etherTypes.close());
      const ipProtocols = createMap(source.maps.ipProtocols);
      release.push(() => ipProtocols.close());
      const program = loadXdpProgram({
        name: source.name, license: source.license, code: source.bytecode({ etherTypes, ipProtocols }), maps: [etherTypes, ipProtocols],
      });
      release.push(() => program.close());
      const programId = programIdentity(program.fd).id;
      const attachments: Attachment[] = [];
      const interfaces: AttachedInterface[] = [];
      for (const target of options.interfaces) {
        const attachment = attachXdpLink(program, target, mode, warn);
        release.push(() => attachment.detach());
        attachments.push(attachment);
        interfaces.push({ target, description: describeXdpAttachment(target, attachment, programId), link: isLinkAttachment(attachment) });
      }
      return new PacketCounter({ etherTypes, ipProtocols, program, programId, attachments, interfaces, origin: source.origin });
    } catch (err) {
      for (const undo of release.reverse()) { try { undo(); } catch { /* report the original error */ } }
      throw err;
    }
  }

  /** Current totals (since attach), CPUs summed. */
  read(): CountTotals {
    return {
      etherTypes: readAll(this.#etherTypes).map(([k, t]) => ({ ifindex: k.ifindex, etherType: k.etherType, ...t })),
      ipProtocols: readAll(this.#ipProtocols).map(([k, t]) => ({ ifindex: k.ifindex, ipVersion: k.ipVersion, protocol: k.protocol, ...t })),
    };
  }

  get closed(): boolean { return this.#closed; }

  /** Detaches from every interface, then unloads the program and frees the maps. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const errors: unknown[] = [];
    for (const step of [...this.#attachments.map((a) => () => a.detach()), () => this.#program.close(), () => this.#ipProtocols.close(), () => this.#etherTypes.close()]) {
      try { step(); } catch (err) { errors.push(err); }
    }
    if (errors.length) throw errors[0];
  }

  [Symbol.dispose](): void { this.close(); }
}
