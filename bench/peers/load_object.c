// C peer of bench/load-object.ts: libbpf (the loader behind `bpftool prog loadall`) opening and
// loading an object file in-process, `iterations` times after one warm-up: bpf_object__open_file
// + bpf_object__load (which loads the kernel's BTF for CO-RE each time) + bpf_object__close.
// Maps pinned by name go under PIN_ROOT and are removed after each round.
// Prints one JSON line: {"first_ms":…,"median_ms":…,"min_ms":…}.
//
// usage: load_object OBJECT.o ITERATIONS PIN_ROOT
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) {
  (void)fmt; (void)args;
  return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double load_once(const char *path, const char *pin_root) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
  double t0 = now_ms();
  struct bpf_object *obj = bpf_object__open_file(path, &opts);
  if (!obj) { fprintf(stderr, "open %s failed\n", path); exit(1); }
  if (bpf_object__load(obj)) { fprintf(stderr, "load %s failed\n", path); exit(1); }
  struct bpf_map *map;
  bpf_object__for_each_map(map, obj) if (bpf_map__is_pinned(map)) bpf_map__unpin(map, NULL);
  bpf_object__close(obj);
  return now_ms() - t0;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s OBJECT.o ITERATIONS PIN_ROOT\n", argv[0]); return 2; }
  libbpf_set_print(quiet);
  int n = atoi(argv[2]);
  double first = load_once(argv[1], argv[3]);
  double *t = calloc(n, sizeof *t);
  for (int i = 0; i < n; i++) t[i] = load_once(argv[1], argv[3]);
  qsort(t, n, sizeof *t, cmp);
  printf("{\"first_ms\":%.3f,\"median_ms\":%.3f,\"min_ms\":%.3f}\n", first, t[n / 2], t[0]);
  return 0;
}
