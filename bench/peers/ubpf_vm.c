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

// Times WINDOWS windows per program after a short warm-up each, in rounds over all programs (as
// bench/vm.ts times the VM), and reports the median window.
enum { WINDOWS = 7 };

struct prog {
  struct ubpf_vm *vm;
  ubpf_jit_fn fn;
  uint8_t *mem;
  size_t mem_len;
  const char *error; // "load", "jit", "exec", or NULL
  double windows[WINDOWS];
  uint64_t sink;
};

/** One window: ns per run over 2 ms after 1 ms of warm-up, or a negative value when a run fails. */
static double time_window(struct prog *p) {
  double warm_until = now_ns() + 1e6, t0 = 0, t = now_ns();
  long runs = 0;
  for (;;) {
    for (int i = 0; i < 64; i++) {
      uint64_t ret = 0;
      // the same memory every run, as on the VM side (stores and atomics accumulate alike)
      if (p->fn) ret = p->fn(p->mem_len ? p->mem : NULL, p->mem_len);
      else if (ubpf_exec(p->vm, p->mem_len ? p->mem : NULL, p->mem_len, &ret) < 0) return -1;
      p->sink += ret;
    }
    t = now_ns();
    if (t0 == 0) {
      if (t >= warm_until) t0 = t;
      continue;
    }
    runs += 64;
    if (t - t0 >= 2e6) return (t - t0) / runs;
  }
}

int main(int argc, char **argv) {
  bool jit = argc > 1 && strcmp(argv[1], "jit") == 0;
  static char line[1 << 20];
  static uint8_t code[1 << 18], mem[1 << 16];
  struct prog *progs = NULL;
  size_t n = 0, cap = 0;
  while (fgets(line, sizeof line, stdin)) {
    char *prog_hex = strtok(line, " \n");
    char *mem_hex = strtok(NULL, " \n");
    if (!prog_hex || !mem_hex) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      progs = realloc(progs, cap * sizeof *progs);
      if (!progs) return 1;
    }
    struct prog *p = &progs[n++];
    memset(p, 0, sizeof *p);
    size_t code_len = unhex(prog_hex, code, sizeof code);
    p->mem_len = unhex(mem_hex, mem, sizeof mem);
    p->mem = malloc(p->mem_len ? p->mem_len : 1);
    if (!p->mem) return 1;
    memcpy(p->mem, mem, p->mem_len);
    p->vm = ubpf_create();
    ubpf_register(p->vm, 5, "helper5", helper_zero);
    char *err = NULL;
    if (ubpf_load(p->vm, code, (uint32_t)code_len, &err) < 0) {
      p->error = "load";
      free(err);
      continue;
    }
    if (jit) {
      p->fn = ubpf_compile(p->vm, &err);
      if (!p->fn) {
        p->error = "jit";
        free(err);
      }
    }
  }
  for (int w = 0; w < WINDOWS; w++)
    for (size_t i = 0; i < n; i++) {
      if (progs[i].error) continue;
      double ns = time_window(&progs[i]);
      if (ns < 0) progs[i].error = "exec";
      else progs[i].windows[w] = ns;
    }
  for (size_t i = 0; i < n; i++) {
    struct prog *p = &progs[i];
    if (p->error) printf("{\"error\": \"%s\"}\n", p->error);
    else {
      qsort(p->windows, WINDOWS, sizeof p->windows[0], by_value);
      printf("{\"ns_per_run\": %.3f, \"sink\": %llu}\n", p->windows[WINDOWS / 2], (unsigned long long)p->sink);
    }
    ubpf_destroy(p->vm);
    free(p->mem);
  }
  free(progs);
  return 0;
}
