// The intrinsic tables lower.ts dispatches through, one module per family: kernel functions by
// name (helpers, memory, kernel objects, log formats), map methods (maps.ts), context fields and
// methods (context.ts), array methods (memory.ts), and kernel values with methods (log).
import type * as TS from "typescript";
import type { Val } from "../values.js";
import { mergeTables, type KernelFunction, type Lowering } from "./api.js";
import { HELPER_FUNCTIONS } from "./helpers.js";
import { KERNEL_OBJECT_FUNCTIONS } from "./kernel-objects.js";
import { LOG_FUNCTIONS, lowerLog } from "./log.js";
import { MEMORY_FUNCTIONS } from "./memory.js";

/** Every kernel function by its name in src/kernel. */
export const KERNEL_FUNCTIONS: Readonly<Record<string, KernelFunction>> = mergeTables(
  HELPER_FUNCTIONS,
  MEMORY_FUNCTIONS,
  KERNEL_OBJECT_FUNCTIONS,
  LOG_FUNCTIONS,
);

/** A method of a kernel value that is a namespace of intrinsics (`log.info(…)`). */
export type NamespaceMethod = (low: Lowering, e: TS.CallExpression, method: string) => Val;

/** Kernel values whose methods are intrinsics, by name in src/kernel. */
export const KERNEL_NAMESPACES: Readonly<Record<string, NamespaceMethod>> = { log: lowerLog };
