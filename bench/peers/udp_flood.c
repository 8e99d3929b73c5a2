// Traffic for the packet benchmarks: COUNT UDP datagrams of SIZE payload bytes to DST:PORT, sent
// with sendmmsg in batches of 64, at RATE packets per second (0: as fast as the socket takes
// them). Prints {"sent":N,"seconds":S} when done. Run it inside the sending namespace.
//
//   udp_flood DST PORT COUNT SIZE RATE
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s DST PORT COUNT SIZE RATE\n", argv[0]);
    return 2;
  }
  struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
  if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[1]); return 2; }
  long count = atol(argv[3]);
  int size = atoi(argv[4]);
  double rate = atof(argv[5]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) { perror("connect"); return 1; }
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  static char payload[65536];
  memset(payload, 0x5a, sizeof payload);
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }

  long sent = 0;
  double start = now();
  while (sent < count) {
    int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
    if (rate > 0) {
      // hold the rate: wait until the batch is due
      double due = start + (double)sent / rate;
      double wait = due - now();
      if (wait > 0) {
        struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
        nanosleep(&ts, NULL);
      }
    }
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) {
      // ECONNREFUSED: an ICMP port unreachable came back (nobody listens), not a send failure
      if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED || errno == EINTR) continue;
      perror("sendmmsg");
      return 1;
    }
    sent += r;
  }
  printf("{\"sent\":%ld,\"seconds\":%.6f}\n", sent, now() - start);
  return 0;
}
