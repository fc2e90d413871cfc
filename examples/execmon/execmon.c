/* SPDX-License-Identifier: MIT */
/*
 * execmon: prints every exec and process exit, an agent built on bel alone.
 *
 *   execmon [--ppid PID] [--min-duration MS] [--no-exit] [--seconds N]
 *
 * The BPF object is embedded in the binary (execmon.skel.h, made by `bel gen skeleton`). The
 * command line fills .rodata before load; --no-exit loads only the exec program (and only the
 * maps it uses); events come from the ring buffer; the counters in .bss are read at the end.
 * Stops on SIGINT/SIGTERM or after --seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "execmon.h"
#include "execmon.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Names come from the kernel and from whoever ran the program: print them safely. */
static void put_clean(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
}

static int on_event(void *ctx, const void *data, size_t size)
{
	const struct execmon_event *e = data;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	if (e->kind == EXECMON_EXEC) {
		printf("EXEC pid %-7d ppid %-7d comm ", e->pid, e->ppid);
		put_clean(e->comm, sizeof(e->comm));
		printf(" file ");
		put_clean(e->filename, sizeof(e->filename));
	} else {
		printf("EXIT pid %-7d ppid %-7d code %-3u %8.3f ms comm ", e->pid, e->ppid, e->exit_code,
		       e->duration_ns / 1e6);
		put_clean(e->comm, sizeof(e->comm));
	}
	putchar('\n');
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: execmon [--ppid PID] [--min-duration MS] [--no-exit] [--seconds N]\n"
		   "  --ppid PID          only children of PID\n"
		   "  --min-duration MS   exits of processes that lived at least MS milliseconds\n"
		   "  --no-exit           load only the exec program (no exit events)\n"
		   "  --seconds N         stop after N seconds (default: at SIGINT/SIGTERM)\n");
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return *s && !*end && !errno && *out >= min && *out <= max;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ppid", required_argument, NULL, 'p'},
		{"min-duration", required_argument, NULL, 'm'},
		{"no-exit", no_argument, NULL, 'x'},
		{"seconds", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long ppid = 0, min_ms = 0, seconds = 0;
	bool exits = true;
	struct bel_ringbuf *rb = NULL;
	struct execmon *skel;
	time_t end;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "p:m:xs:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_long(optarg, 1, 1L << 30, &ppid))
				goto bad;
			break;
		case 'm':
			if (!parse_long(optarg, 0, 1L << 30, &min_ms))
				goto bad;
			break;
		case 'x': exits = false; break;
		case 's':
			if (!parse_long(optarg, 1, 1L << 30, &seconds))
				goto bad;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc)
		goto bad;
	setvbuf(stdout, NULL, _IOLBF, 0);

	skel = execmon__open(NULL);
	if (!skel) {
		fprintf(stderr, "execmon: %s\n", bel_thread_error());
		return 1;
	}
	/* configuration before load: the verifier sees these as constants */
	skel->rodata->target_ppid = (int)ppid;
	skel->rodata->min_duration_ns = (unsigned long long)min_ms * 1000000ull;
	if (execmon__load_handle_exec(skel) || (exits && execmon__load_handle_exit(skel)) ||
	    execmon__attach(skel)) {
		fprintf(stderr, "execmon: %s\n", bel_object_last_error(skel->obj));
		goto out;
	}
	if (bel_ringbuf_new(&rb) ||
	    bel_ringbuf_add(rb, bel_map_fd(skel->maps.events), on_event, NULL)) {
		fprintf(stderr, "execmon: %s\n", bel_thread_error());
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ppid)
		fprintf(stderr, "execmon: watching children of %ld (programs: exec%s)\n", ppid,
			exits ? ", exit" : "");
	else
		fprintf(stderr, "execmon: watching every process (programs: exec%s)\n",
			exits ? ", exit" : "");
	end = seconds ? time(NULL) + seconds : 0;
	while (!stop && (!end || time(NULL) < end)) {
		int n = bel_ringbuf_poll(rb, 100);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "execmon: ring buffer: %s\n", bel_thread_error());
			goto out;
		}
	}
	bel_ringbuf_consume(rb);
	printf("execs %llu exits %llu dropped %llu\n", skel->bss->execs_seen, skel->bss->exits_seen,
	       skel->bss->events_dropped);
	ret = 0;
out:
	bel_ringbuf_free(rb);
	execmon__destroy(skel);
	return ret;
bad:
	fprintf(stderr, "execmon: bad argument '%s'\n", optarg ? optarg : argv[optind]);
	usage(stderr);
	return 2;
}
