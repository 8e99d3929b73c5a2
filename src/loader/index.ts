// Loading eBPF object files into the kernel (the system-call side of src/object).
export { loadObject, BpfObject } from "./loader.js";
export type { ObjectLoadOptions, ObjectShape, ObjectSource, ObjectProgramOptions, ObjectMapOptions } from "./loader.js";
export { DataSection } from "./globals.js";
export { btfCodec, rawCodec, TsTypes, tsIdentifier } from "./btf-codec.js";
export { autoAttach, loadAsKind } from "./programs.js";
export { kernelConfig, kernelSymbolAddress, linuxKernelVersion } from "./kernel.js";
