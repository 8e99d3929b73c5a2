// Printers of a packet carried inside another: IP in IP, IPv6 in IPv4, Ethernet over IPv6, the
// datagram an ICMP error quotes. They sit above the protocol printers that meet such packets, so
// the top module (index.ts) registers them here and those printers call them through this table
// instead of importing them back.

import type { PrintContext } from "./context.js";

export interface EncapsulatedPrinters {
  ipv4(c: PrintContext, at: number, length: number): void;
  ipv6(c: PrintContext, at: number, length: number): void;
  /** Returns the link-level header length, as the link-layer printers do. */
  ethernet(c: PrintContext, at: number, length: number, caplen: number): number;
  /** The payload of EtherType `type`; false when there is no printer for it (nothing printed). */
  ethertype(c: PrintContext, type: number, at: number, length: number, caplen: number): boolean;
}

let registered: EncapsulatedPrinters | undefined;

export function registerEncapsulatedPrinters(printers: EncapsulatedPrinters): void {
  registered = printers;
}

/** The registered printers; index.ts registers them when it is loaded. */
export function encapsulated(): EncapsulatedPrinters {
  if (registered === undefined)
    throw new Error("packet printers used without print/index.ts, which registers the encapsulated-packet printers");
  return registered;
}
