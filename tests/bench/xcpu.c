/*
 * xcpu.c - how far apart the host has put two of our vCPUs right now.
 *
 *   xcpu [MILLISECONDS [CPU-A CPU-B]]
 *	bounces one cache line between a thread on CPU-A (default 0) and
 *	one on CPU-B (default 1) for MILLISECONDS (default 20) and prints
 *	the mean one-way hand-off time in nanoseconds.
 *
 * Why: on these machines the hypervisor moves the guest's vCPUs between
 * physical cores every second or so, and the cost of handing a cache
 * line from one vCPU to the other changes with it, between ~60 ns (the
 * two on cores that share a cache) and ~270 ns (cores that do not).  A
 * shared-memory loop between a switch and a front-end on the two vCPUs
 * hands several lines per frame over, so its rate follows that
 * placement; tests/bench/vhost-bench.sh samples it between slices of a
 * run so rates are compared under the same placement.
 *
 * Both threads run SCHED_FIFO when allowed (root), so that they run at
 * once even when busy-polling threads own the two vCPUs; otherwise at
 * the normal priority (the figure then also includes waiting for the
 * CPU, and says so on stderr).  A mean of XCPU_MAX_NS or more means one
 * vCPU was not running for part of the time (the host ran something
 * else): no placement can be read from it, so nothing is printed and the
 * exit status is 3.  A standalone program.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct line {
	_Alignas(64) _Atomic uint64_t v;
};

/* A hand-off between two running vCPUs takes tens to a few hundred ns. */
#define XCPU_MAX_NS 1000

static struct line ping, pong;
static _Atomic int stop;	/* 1: done; 2: the peer could not pin;
				 * 3: the peer stopped answering */
static _Atomic int peer_ready;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* pin CPU: moves the calling thread to CPU; 0 or an errno. */
static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* raise_fifo: the calling thread to SCHED_FIFO 1; false if refused. */
static int
raise_fifo(void)
{
	struct sched_param sp = { .sched_priority = 1 };

	return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
}

static int peer_cpu;
static int peer_fifo;

static void *
peer_main(void *arg)
{
	uint64_t i = 1;

	(void)arg;
	if (pin(peer_cpu) != 0)
		atomic_store(&stop, 2);
	peer_fifo = raise_fifo();
	atomic_store(&peer_ready, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (atomic_load_explicit(&ping.v, memory_order_acquire) == i) {
			atomic_store_explicit(&pong.v, i, memory_order_release);
			i++;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 20;
	int cpu_a = argc > 3 ? atoi(argv[2]) : 0;
	int fifo, err;
	pthread_t peer;
	uint64_t i;

	peer_cpu = argc > 3 ? atoi(argv[3]) : 1;
	if (argc > 4 || argc == 3 || ms <= 0 || ms > 60000 ||
	    cpu_a == peer_cpu) {
		fprintf(stderr, "usage: xcpu [MILLISECONDS [CPU-A CPU-B]]\n");
		return 2;
	}
	/* Pinned first, and at normal priority while the peer starts: the
	 * peer inherits our CPU and runs there until it moves itself, which
	 * a SCHED_FIFO creator spinning on that CPU would never allow; a
	 * creator left on the CPU the peer moves to would wait there behind
	 * a SCHED_FIFO spinner. */
	if ((err = pin(cpu_a)) != 0) {
		fprintf(stderr, "xcpu: cpu %d: %s\n", cpu_a, strerror(err));
		return 1;
	}
	if ((err = pthread_create(&peer, NULL, peer_main, NULL)) != 0) {
		fprintf(stderr, "xcpu: thread: %s\n", strerror(err));
		return 1;
	}
	while (!atomic_load(&peer_ready))
		sched_yield();
	fifo = raise_fifo();

	double start = now_ns(), end = start + ms * 1e6, t = start;
	for (i = 1; !atomic_load(&stop); i++) {
		atomic_store_explicit(&ping.v, i, memory_order_release);
		/* Bounded: a peer that never answers is an error, not a
		 * hang. */
		for (unsigned n = 1; atomic_load_explicit(&pong.v,
		     memory_order_acquire) != i; n++)
			if ((n & 0xfffff) == 0 && now_ns() > end + 1e9) {
				atomic_store(&stop, 3);
				break;
			}
		if ((i & 255) == 0 && (t = now_ns()) >= end)
			break;
	}
	int why = atomic_exchange(&stop, 1);
	pthread_join(peer, NULL);
	if (why == 2 || why == 3) {
		fprintf(stderr, "xcpu: cpu %d: %s\n", peer_cpu, why == 2 ?
			"cannot pin" : "no answer for a second");
		return 1;
	}
	if (!fifo || !peer_fifo)
		fprintf(stderr, "xcpu: no SCHED_FIFO (%s): the figure includes "
			"waits for the CPU\n", strerror(EPERM));
	/* i round trips, two hand-offs each. */
	double ns = (t - start) / (double)i / 2;
	if (ns >= XCPU_MAX_NS) {
		fprintf(stderr, "xcpu: %.0f ns: a vCPU was not running for part "
			"of the time; no placement to read\n", ns);
		return 3;
	}
	printf("%.0f\n", ns);
	return 0;
}
