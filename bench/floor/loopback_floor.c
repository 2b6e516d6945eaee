/*
 * The kernel's floor for one delivery on this machine: a writer thread writes a 100-byte message to each of
 * N loopback TCP sockets per round (one write call each, TCP_NODELAY, as a shard does), a reader thread reads
 * them with epoll (one read per ready socket, as a client does), optionally pausing before each epoll_wait
 * (as the load generator does). Prints each thread's CPU per message. No JVM, no Netty: what is left is the
 * system calls and the TCP work of both ends of the loopback.
 *
 * usage: loopback_floor CONNECTIONS ROUNDS READER_PAUSE_US
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connections, rounds, pause_us;
static int *server_side, *client_side;
static volatile int writer_done;

static double thread_cpu_seconds(void) {
  struct rusage r;
  getrusage(RUSAGE_THREAD, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static void *reader(void *unused) {
  (void) unused;
  int ep = epoll_create1(0);
  struct epoll_event ev, ready[1024];
  char buf[4096];
  for (int i = 0; i < connections; i++) {
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = client_side[i];
    epoll_ctl(ep, EPOLL_CTL_ADD, client_side[i], &ev);
  }
  long expected = (long) connections * rounds * 100, received = 0, reads = 0;
  double cpu = thread_cpu_seconds();
  while (received < expected) {
    if (pause_us) usleep(pause_us);
    int n = epoll_wait(ep, ready, 1024, 1000);
    if (n == 0 && writer_done) break;
    for (int i = 0; i < n; i++) {
      int r = read(ready[i].data.fd, buf, sizeof buf);
      reads++;
      if (r > 0) received += r;
      /* a full buffer may leave more behind: edge-triggered, so read on until a short read */
      while (r == (int) sizeof buf) { r = read(ready[i].data.fd, buf, sizeof buf); reads++; if (r > 0) received += r; }
    }
  }
  cpu = thread_cpu_seconds() - cpu;
  double messages = (double) connections * rounds;
  printf("reader: %.2f CPU-s, %.2f us per message, %.2f reads per message, %.0f%% of the bytes\n", cpu,
      cpu * 1e6 / messages, reads / messages, 100.0 * received / expected);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s CONNECTIONS ROUNDS READER_PAUSE_US\n", argv[0]); return 2; }
  connections = atoi(argv[1]); rounds = atoi(argv[2]); pause_us = atoi(argv[3]);
  server_side = calloc(connections, sizeof(int));
  client_side = calloc(connections, sizeof(int));
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (bind(listener, (void *) &addr, len) || listen(listener, 4096) || getsockname(listener, (void *) &addr, &len)) {
    perror("listen"); return 1;
  }
  for (int i = 0; i < connections; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in source = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000002 + i % 16)};
    setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (c < 0 || bind(c, (void *) &source, sizeof source) || connect(c, (void *) &addr, len)) { perror("connect"); return 1; }
    int s = accept(listener, NULL, NULL);
    if (s < 0) { perror("accept"); return 1; }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c, F_SETFL, O_NONBLOCK);
    fcntl(s, F_SETFL, O_NONBLOCK);
    server_side[i] = s;
    client_side[i] = c;
  }
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  char message[100];
  memset(message, 'x', sizeof message);
  double cpu = thread_cpu_seconds(), wall = 0;
  for (int r = 0; r < rounds; r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < connections; i++) {
      if (write(server_side[i], message, sizeof message) != sizeof message) { perror("write"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    wall += (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    usleep(200000); /* a quiet gap, as between records at 5 rec/s */
  }
  cpu = thread_cpu_seconds() - cpu;
  writer_done = 1;
  printf("writer: %.2f CPU-s, %.2f us per write, a round of %d writes takes %.1f ms on average\n", cpu,
      cpu * 1e6 / ((double) connections * rounds), connections, wall * 1e3 / rounds);
  pthread_join(t, NULL);
  return 0;
}
