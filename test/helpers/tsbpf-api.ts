// The public API as generated code imports it (`import … from "tsbpf"`): the package root plus
// the object loader, for type-checking what `tsbpf gen types` writes.
export * from "../../src/index.js";
export * from "../../src/loader/index.js";
