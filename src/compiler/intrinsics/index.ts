// The intrinsic tables lower.ts dispatches through, one module per family.
import { mergeTables, type KernelFunction } from "./api.js";
import { HELPER_FUNCTIONS } from "./helpers.js";
import { MEMORY_FUNCTIONS } from "./memory.js";

/** Every kernel function by its name in src/kernel. */
export const KERNEL_FUNCTIONS: Readonly<Record<string, KernelFunction>> = mergeTables(HELPER_FUNCTIONS, MEMORY_FUNCTIONS);
