// C peer of bench/map-ops.ts: the same operations on the same kind of map (hash, u32 key, u64
// value, ENTRIES elements) through libbpf's thin syscall wrappers. Prints one JSON line.
//
// Single operations are timed in chunks of CHUNK operations and batches one full walk at a time;
// each figure is the rate of the fastest chunk (or walk), exactly as the JavaScript side does, so
// that other load on a shared machine weighs on neither side. batch_average_per_s is the rate
// over all the walks together (the JavaScript tuple figure is compared with it).
//
// usage: map_ops ENTRIES OPS BATCH_SIZE BATCH_ROUNDS CHUNK
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
  if (argc != 6) { fprintf(stderr, "usage: %s ENTRIES OPS BATCH_SIZE BATCH_ROUNDS CHUNK\n", argv[0]); return 2; }
  uint32_t entries = (uint32_t)atol(argv[1]);
  long ops = atol(argv[2]);
  uint32_t batch = (uint32_t)atol(argv[3]);
  long rounds = atol(argv[4]);
  long chunk = atol(argv[5]);

  int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "c_map_ops", 4, 8, entries, NULL);
  if (fd < 0) { perror("bpf_map_create"); return 1; }
  for (uint32_t k = 0; k < entries; k++) {
    uint64_t v = k;
    if (bpf_map_update_elem(fd, &k, &v, BPF_ANY)) { perror("fill"); return 1; }
  }

  uint64_t sink = 0, value;
  double best = 1e9;
  for (long done = 0; done < ops; done += chunk) {
    double t = now();
    for (long i = done; i < done + chunk; i++) {
      uint32_t key = (uint32_t)(i % entries);
      if (bpf_map_lookup_elem(fd, &key, &value)) { perror("lookup"); return 1; }
      sink += value;
    }
    t = now() - t;
    if (t < best) best = t;
  }
  double lookups = chunk / best;

  best = 1e9;
  for (long done = 0; done < ops; done += chunk) {
    double t = now();
    for (long i = done; i < done + chunk; i++) {
      uint32_t key = (uint32_t)(i % entries);
      value = 7;
      if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) { perror("update"); return 1; }
    }
    t = now() - t;
    if (t < best) best = t;
  }
  double updates = chunk / best;

  uint32_t *keys = malloc(sizeof(uint32_t) * batch);
  uint64_t *values = malloc(sizeof(uint64_t) * batch);
  double best_rate = 0, all = now();
  long all_elements = 0;
  for (long r = 0; r < rounds; r++) {
    uint32_t in_token = 0, out_token = 0;
    int first = 1;
    long elements = 0;
    double t = now();
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
    double rate = elements / (now() - t);
    if (rate > best_rate) best_rate = rate;
    all_elements += elements;
  }
  double batch_average = all_elements / (now() - all);

  printf("{\"lookups_per_s\":%.1f,\"updates_per_s\":%.1f,\"batch_lookups_per_s\":%.1f,\"batch_average_per_s\":%.1f,\"sink\":%llu}\n",
         lookups, updates, best_rate, batch_average, (unsigned long long)sink);
  return 0;
}
