// The count program in use: count.bpf.ts (kernel TypeScript, compiled ahead of time by `npm run
// build`) with its two per-CPU maps, and one XDP link per interface. read() sums the CPUs' values
// in user space.
import type { PerCpuHashMap } from "../../maps/index.js";
import type { Attachment } from "../../links/link.js";
import type { XdpMode } from "../../programs/xdp.js";
import { programIdentity } from "../../programs/net-common.js";
import type { KernelObject } from "../../loader/kernel-object.js";
import { loadToolObject } from "../common/kernel-artifact.js";
import { readPerCpu, type Traffic } from "../common/per-cpu.js";
import { attachXdpLink, describeXdpAttachment, isLinkAttachment } from "../common/xdp.js";
import type { InterfaceTarget } from "../common/interfaces.js";
import type * as Kernel from "./count.bpf.js";
import { detachSteps, releaseAfterFailure, releaseAll } from "../common/release.js";

export type CountKernel = KernelObject<typeof Kernel>;

/** One CPU's share of one key's traffic. */
export interface CounterValue {
  packets: bigint;
  bytes: bigint;
}

/**
 * Creates the maps and loads the count program (count.bpf.ts) from its prebuilt artifact, not
 * attached: `programs.tsbpf_count` (XDP), `maps.count_ether`, `maps.count_ip`.
 */
export function loadCountObject(): CountKernel {
  return loadToolObject<typeof Kernel>("count/count.bpf.json");
}

export type { Traffic } from "../common/per-cpu.js";
export interface EtherTypeCount extends Traffic {
  ifindex: number;
  etherType: number;
}
export interface IpProtocolCount extends Traffic {
  ifindex: number;
  ipVersion: number;
  protocol: number;
}

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
}

type EtherMap = PerCpuHashMap<{ ifindex: number; etherType: number; pad: number }, CounterValue>;
type IpMap = PerCpuHashMap<{ ifindex: number; ipVersion: number; protocol: number; pad: number }, CounterValue>;

export class PacketCounter implements Disposable {
  readonly #object: CountKernel;
  readonly #etherTypes: EtherMap;
  readonly #ipProtocols: IpMap;
  readonly #attachments: Attachment[];
  readonly interfaces: readonly AttachedInterface[];
  /** The kernel's id of the loaded program (as `bpftool prog` shows it). */
  readonly programId: number;
  /** How the program was built. */
  readonly origin = "kernel-typescript" as const;
  #closed = false;

  private constructor(
    object: CountKernel,
    programId: number,
    attachments: Attachment[],
    interfaces: AttachedInterface[],
  ) {
    this.#object = object;
    // KernelObject types per-CPU hash maps as plain handles, although it creates PerCpuHashMaps.
    this.#etherTypes = object.maps.count_ether as unknown as EtherMap;
    this.#ipProtocols = object.maps.count_ip as unknown as IpMap;
    this.#attachments = attachments;
    this.interfaces = interfaces;
    this.programId = programId;
  }

  /** Creates the maps, loads the program and attaches it to every interface; on failure releases what it made. */
  static attach(options: CounterOptions): PacketCounter {
    const mode = options.mode ?? "auto";
    const warn = options.warn ?? ((): void => {});
    const object = loadCountObject();
    const attachments: Attachment[] = [];
    try {
      const program = object.programs.tsbpf_count;
      const programId = programIdentity(program.fd).id;
      const interfaces: AttachedInterface[] = [];
      for (const target of options.interfaces) {
        const attachment = attachXdpLink(program, target, mode, warn);
        attachments.push(attachment);
        interfaces.push({
          target,
          description: describeXdpAttachment(target, attachment, programId),
          link: isLinkAttachment(attachment),
        });
      }
      return new PacketCounter(object, programId, attachments, interfaces);
    } catch (err) {
      releaseAfterFailure([...detachSteps(attachments), () => object.close()]);
      throw err;
    }
  }

  /** Current totals (since attach), CPUs summed. */
  read(): CountTotals {
    return {
      etherTypes: readPerCpu(this.#etherTypes).map(([k, t]) => ({ ifindex: k.ifindex, etherType: k.etherType, ...t })),
      ipProtocols: readPerCpu(this.#ipProtocols).map(([k, t]) => ({
        ifindex: k.ifindex,
        ipVersion: k.ipVersion,
        protocol: k.protocol,
        ...t,
      })),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Detaches from every interface, then unloads the program and frees the maps. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseAll([...detachSteps(this.#attachments), () => this.#object.close()]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
