/**
 * tsbpf — eBPF for TypeScript. The public API: instructions and the assembler, BTF, maps,
 * programs (one class per kind, each with load and attach), links, events, test runs.
 * The syscall layer (src/sys) stays internal; only its errors and a few system helpers are
 * exported (src/sys/index.ts).
 *
 * @module tsbpf
 */
export * from "./errors.js";
export * from "./uapi.js";
export * from "./sys/index.js";
export * from "./asm/index.js";
export * from "./btf/index.js";
export * from "./maps/index.js";
export * from "./events/index.js";
export * from "./links/index.js";
export * from "./programs/index.js";
export * from "./introspect.js";
export * from "./features.js";
export * from "./object/index.js";
export * from "./loader/index.js";
// tcpdump filter expressions compiled to eBPF, and capture files.
export * from "./filter/index.js";
export * from "./pcap/index.js";
// Names two folders both export (a star export drops a name two stars offer): the explicit
// choice wins.
export type { MapBtf } from "./maps/index.js";
export type { MapRef } from "./asm/index.js";
