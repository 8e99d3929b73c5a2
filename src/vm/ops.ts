// Internal operation numbers of the pre-decoded program. The wire opcode alone is not enough
// (sdiv/smod live in `off`, movsx in `off`, byte swaps and atomics in `imm`), so decoding folds
// every variant into one dense number: the interpreter's `switch` then compiles to a jump table.

export const enum Op {
  // ---- ALU64, K then X ----
  ADD64_K, ADD64_X, SUB64_K, SUB64_X, MUL64_K, MUL64_X,
  DIV64_K, DIV64_X, SDIV64_K, SDIV64_X, MOD64_K, MOD64_X, SMOD64_K, SMOD64_X,
  OR64_K, OR64_X, AND64_K, AND64_X, XOR64_K, XOR64_X,
  LSH64_K, LSH64_X, RSH64_K, RSH64_X, ARSH64_K, ARSH64_X,
  NEG64, MOV64_K, MOV64_X, MOVSX8_64, MOVSX16_64, MOVSX32_64,
  BSWAP16, BSWAP32, BSWAP64,
  // ---- ALU (32-bit), K then X ----
  ADD32_K, ADD32_X, SUB32_K, SUB32_X, MUL32_K, MUL32_X,
  DIV32_K, DIV32_X, SDIV32_K, SDIV32_X, MOD32_K, MOD32_X, SMOD32_K, SMOD32_X,
  OR32_K, OR32_X, AND32_K, AND32_X, XOR32_K, XOR32_X,
  LSH32_K, LSH32_X, RSH32_K, RSH32_X, ARSH32_K, ARSH32_X,
  NEG32, MOV32_K, MOV32_X, MOVSX8_32, MOVSX16_32,
  LE16, LE32, BE16, BE32, BE64,
  // ---- jumps (64-bit compare), K then X ----
  JA, JEQ_K, JEQ_X, JGT_K, JGT_X, JGE_K, JGE_X, JSET_K, JSET_X, JNE_K, JNE_X,
  JSGT_K, JSGT_X, JSGE_K, JSGE_X, JLT_K, JLT_X, JLE_K, JLE_X, JSLT_K, JSLT_X, JSLE_K, JSLE_X,
  // ---- jumps (32-bit compare) ----
  JEQ32_K, JEQ32_X, JGT32_K, JGT32_X, JGE32_K, JGE32_X, JSET32_K, JSET32_X, JNE32_K, JNE32_X,
  JSGT32_K, JSGT32_X, JSGE32_K, JSGE32_X, JLT32_K, JLT32_X, JLE32_K, JLE32_X,
  JSLT32_K, JSLT32_X, JSLE32_K, JSLE32_X,
  CALL_HELPER, CALL_LOCAL, CALLX, EXIT, MAY_GOTO,
  // ---- memory ----
  LDXB, LDXH, LDXW, LDXDW, LDXSB, LDXSH, LDXSW,
  STB, STH, STW, STDW, STXB, STXH, STXW, STXDW,
  // atomics: W then DW
  AADD_W, AOR_W, AAND_W, AXOR_W, AFADD_W, AFOR_W, AFAND_W, AFXOR_W, AXCHG_W, ACMPXCHG_W,
  AADD_DW, AOR_DW, AAND_DW, AXOR_DW, AFADD_DW, AFOR_DW, AFAND_DW, AFXOR_DW, AXCHG_DW, ACMPXCHG_DW,
  LDDW, LD_ABS_B, LD_ABS_H, LD_ABS_W, LD_IND_B, LD_IND_H, LD_IND_W,
  /** Second slot of an lddw: never executed, never a jump target. */
  LDDW_HI,
  /** Does nothing (le64 on a little-endian machine). */
  NOP,
  COUNT,
}
