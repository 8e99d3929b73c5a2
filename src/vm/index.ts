/**
 * The user-space eBPF VM: run and unit-test programs without root or a kernel.
 *
 * @module tsbpf/vm
 */

export {
  Vm,
  VmProgram,
  type VmOptions,
  type VmProgramSpec,
  type RunInput,
  type RunResult,
  type TaskInfo,
  type Redirect,
  type PacketState,
} from "./vm.js";
export { VmError, VmValidationError, VmFault, VmBudgetExceeded, type AccessKind } from "./errors.js";
export {
  VmMap,
  VmHashMap,
  VmArrayMap,
  VmQueueMap,
  VmBloomFilterMap,
  VmLpmTrieMap,
  VmRefMap,
  VmLocalStorageMap,
  MAP_PTR_HI,
  type VmMapSpec,
} from "./maps.js";
export { VmRingBufMap, VmRingBuffer, VmPerfEventArray, VmPerfBuffer } from "./events.js";
export { Machine, type HelperFn, STACK_SIZE, MAX_FRAMES, MAX_TAIL_CALLS } from "./machine.js";
export { decodeProgram, type DecodedProgram, type DecodeOptions } from "./decode.js";
export { ADDR_HI_BASE, Region, RegionKind, formatAddress } from "./memory.js";
export { formatPrintk } from "./helpers.js";
export { compileProgram, generatedSource, setChunkSize } from "./compile.js";
export {
  simulate,
  vmBackend,
  kernelBackend,
  relocateMaps,
  type SimProgram,
  type SimInput,
  type SimResult,
  type MapDef,
  type MapDump,
  type Backend,
  type SimulateOptions,
} from "./simulate.js";
export {
  parseDataFile,
  runConformance,
  runCase,
  runPlugin,
  findDataFiles,
  parseHexBytes,
  type DataFile,
  type CaseOutcome,
  type ConformanceReport,
} from "./conformance.js";
export { artifactProgram, type ArtifactSimProgram, type ArtifactProgramOptions } from "./artifact.js";
