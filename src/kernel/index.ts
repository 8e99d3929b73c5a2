/**
 * `tsbpf/kernel`: what kernel TypeScript imports. The rules of the language are in
 * docs/kernel-typescript.md. Everything here is a declaration the compiler knows by name; at run
 * time in user space the same module gives codecs (integer types, structs) and inert map and
 * program declarations, so one source file describes both sides.
 *
 * @module tsbpf/kernel
 */

export * from "./types.js";
export * from "./maps.js";
export * from "./programs.js";
export * from "./helpers.js";
export * from "./net.js";
export type * from "./tracepoints.js";
export type * from "./vmlinux.js";
