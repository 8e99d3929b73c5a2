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

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
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
    // a warm-up, then the median of WINDOWS windows (as bench/vm.ts times the VM)
    enum { WINDOWS = 7 };
    double windows[WINDOWS];
    uint64_t ret = 0, sink = 0;
    int failed = 0;
    double warm_until = now_ns() + 5e6;
    for (int w = -1; w < WINDOWS && !failed; w++) {
      long runs = 0;
      double t0 = now_ns(), t = t0, until = w < 0 ? warm_until : t0 + 3e6;
      while (t < until && !failed) {
        for (int i = 0; i < 64; i++) {
          // the same memory every run, as on the VM side (stores and atomics accumulate alike)
          if (jit) ret = fn(mem_len ? mem : NULL, mem_len);
          else if (ubpf_exec(vm, mem_len ? mem : NULL, mem_len, &ret) < 0) { failed = 1; break; }
          sink += ret;
        }
        runs += 64;
        t = now_ns();
      }
      if (w >= 0) windows[w] = (t - t0) / runs;
    }
    if (!failed) {
      qsort(windows, WINDOWS, sizeof windows[0], by_value);
      printf("{\"ns_per_run\": %.3f, \"sink\": %llu}\n", windows[WINDOWS / 2], (unsigned long long)sink);
    }
    if (failed) printf("{\"error\": \"exec\"}\n");
    fflush(stdout);
    ubpf_destroy(vm);
  }
  return 0;
}
