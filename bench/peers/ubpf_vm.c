// Peer of bench/vm.ts: the uBPF interpreter (github.com/iovisor/ubpf, a C library) timing the
// same programs on the same memory. Not built by default: it links against a libubpf.a that the
// benchmark finds through UBPF_DIR (a directory with libubpf.a and inc/ubpf.h).
//
// stdin: one program per line, "PROGRAM_HEX MEMORY_HEX" (MEMORY_HEX "-" for none).
// stdout: one JSON object per line, {"ns_per_run": N} or {"error": "..."}; with argv[1] == "jit"
// the programs run through ubpf's x86-64 JIT instead.
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ubpf.h>

static uint64_t helper_zero(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  (void)a; (void)b; (void)c; (void)d; (void)e;
  return 0;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t unhex(const char *text, uint8_t *out, size_t cap) {
  size_t n = 0;
  if (strcmp(text, "-") == 0) return 0;
  for (const char *p = text; p[0] && p[1] && n < cap; p += 2) {
    unsigned v;
    if (sscanf(p, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
  }
  return n;
}

int main(int argc, char **argv) {
  bool jit = argc > 1 && strcmp(argv[1], "jit") == 0;
  static char line[1 << 20];
  static uint8_t code[1 << 18], mem[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    char *prog_hex = strtok(line, " \n");
    char *mem_hex = strtok(NULL, " \n");
    if (!prog_hex || !mem_hex) continue;
    size_t code_len = unhex(prog_hex, code, sizeof code);
    size_t mem_len = unhex(mem_hex, mem, sizeof mem);
    struct ubpf_vm *vm = ubpf_create();
    ubpf_register(vm, 5, "helper5", helper_zero);
    char *err = NULL;
    if (ubpf_load(vm, code, (uint32_t)code_len, &err) < 0) {
      printf("{\"error\": \"load\"}\n");
      free(err);
      ubpf_destroy(vm);
      continue;
    }
    ubpf_jit_fn fn = NULL;
    if (jit) {
      fn = ubpf_compile(vm, &err);
      if (!fn) { printf("{\"error\": \"jit\"}\n"); free(err); ubpf_destroy(vm); continue; }
    }
    uint64_t ret = 0, sink = 0;
    long runs = 0;
    double start = now_ns(), warm_until = start + 5e6, end = warm_until + 20e6, t0 = 0;
    int failed = 0;
    for (;;) {
      for (int i = 0; i < 256; i++) {
        // the same memory every run, as on the VM side (stores and atomics accumulate alike)
        if (jit) ret = fn(mem_len ? mem : NULL, mem_len);
        else if (ubpf_exec(vm, mem_len ? mem : NULL, mem_len, &ret) < 0) { failed = 1; break; }
        sink += ret;
      }
      if (failed) break;
      double t = now_ns();
      if (t0 == 0 && t >= warm_until) { t0 = t; runs = 0; continue; }
      runs += 256;
      if (t >= end && t0 != 0) { printf("{\"ns_per_run\": %.3f, \"sink\": %llu}\n", (t - t0) / runs, (unsigned long long)sink); break; }
    }
    if (failed) printf("{\"error\": \"exec\"}\n");
    fflush(stdout);
    ubpf_destroy(vm);
  }
  return 0;
}
