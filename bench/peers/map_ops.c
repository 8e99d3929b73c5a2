// C peer of bench/map-ops.ts: the same operations on the same kind of map (hash, u32 key, u64
// value, ENTRIES elements) through libbpf's thin syscall wrappers. Prints one JSON line.
//
// usage: map_ops ENTRIES OPS BATCH_SIZE BATCH_ROUNDS
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s ENTRIES OPS BATCH_SIZE BATCH_ROUNDS\n", argv[0]); return 2; }
  uint32_t entries = (uint32_t)atol(argv[1]);
  long ops = atol(argv[2]);
  uint32_t batch = (uint32_t)atol(argv[3]);
  long rounds = atol(argv[4]);

  int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "c_map_ops", 4, 8, entries, NULL);
  if (fd < 0) { perror("bpf_map_create"); return 1; }
  for (uint32_t k = 0; k < entries; k++) {
    uint64_t v = k;
    if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) { perror("fill"); return 1; }
  }

  uint64_t sink = 0, value;
  double t = now();
  for (long i = 0; i < ops; i++) {
    uint32_t key = (uint32_t)(i % entries);
    if (bpf_map_lookup_elem(fd, &key, &value)) { perror("lookup"); return 1; }
    sink += value;
  }
  double lookups = ops / (now() - t);

  t = now();
  for (long i = 0; i < ops; i++) {
    uint32_t key = (uint32_t)(i % entries);
    value = 7;
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) { perror("update"); return 1; }
  }
  double updates = ops / (now() - t);

  uint32_t *keys = malloc(sizeof(uint32_t) * batch);
  uint64_t *values = malloc(sizeof(uint64_t) * batch);
  long elements = 0;
  t = now();
  for (long r = 0; r < rounds; r++) {
    uint32_t in_token = 0, out_token = 0;
    int first = 1;
    for (;;) {
      uint32_t count = batch;
      int err = bpf_map_lookup_batch(fd, first ? NULL : &in_token, &out_token, keys, values, &count, NULL);
      if (err && errno != ENOENT) { perror("lookup_batch"); return 1; }
      for (uint32_t i = 0; i < count; i++) sink += values[i] + keys[i];
      elements += count;
      if (err) break; // ENOENT: the walk is over
      in_token = out_token;
      first = 0;
    }
  }
  double batch_lookups = elements / (now() - t);

  printf("{\"lookups_per_s\":%.1f,\"updates_per_s\":%.1f,\"batch_lookups_per_s\":%.1f,\"sink\":%llu}\n",
         lookups, updates, batch_lookups, (unsigned long long)sink);
  return 0;
}
