/* SPDX-License-Identifier: MIT */
/*
 * The differential comparison of bel against libbpf, as a library for the test programs
 * (test_diff: the fixtures; test_corpus: objects other projects ship). No Check asserts here:
 * dc_run() loads one object file with both loaders, compares what the KERNEL reports for each
 * program, and fills a struct dc_result with what each loader did and every difference found.
 *
 * struct dc_result holds no pointers, so it can live in memory shared with a forked child that
 * does the loading (test_corpus does, to survive a loader that crashes or hangs): the child
 * keeps dc_result.stage up to date, so after a crash the parent knows whose code it was in.
 *
 * What is compared per program (whole-object loads, and, with DC_STEP_KEEP_GOING, bel's
 * keep_going load against libbpf loading that program alone) is described in diff_core.c.
 */
#ifndef BEL_TESTS_DIFF_CORE_H
#define BEL_TESTS_DIFF_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_MAX_PROGS 256
#define DC_NAME_MAX 128
#define DC_ERR_MAX 1024
#define DC_MSG_MAX (16u << 10)
#define DC_LOG_MAX (8u << 10)

/* A status never set: the step did not run. */
#define DC_NOT_RUN 1

/* What dc_run does (dc_opts.steps). */
enum {
	DC_STEP_LIBBPF = 1u << 0,     /* libbpf: open + load the whole object */
	DC_STEP_BEL = 1u << 1,        /* bel: open + load the whole object (all-or-nothing); when
					 both loaded, compare every program */
	DC_STEP_ALONE = 1u << 2,      /* libbpf: each program alone (the others' autoload off) */
	DC_STEP_KEEP_GOING = 1u << 3, /* bel: keep_going load; compared program by program with
					 libbpf's alone loads when DC_STEP_ALONE runs too */
};

/* Where the loading process is (dc_result.stage), for a crash or a hang. */
enum dc_stage {
	DC_IN_NOTHING,
	DC_IN_LIBBPF,  /* in a libbpf call */
	DC_IN_BEL,     /* in a bel call */
	DC_IN_COMPARE, /* in this file, asking the kernel and bpftool */
};

struct dc_opts {
	const char *label;            /* names the object in messages */
	const char *libbpf_pin_root;  /* bpf_object_open_opts.pin_root_path; NULL: libbpf's default */
	const char *bel_pin_root;     /* bel_open_opts.pin_root; NULL: bel's default */
	const char *require_metadata; /* if set, every program's bpftool metadata must contain it,
					 with both loaders */
	unsigned int steps;           /* DC_STEP_*; 0 means DC_STEP_LIBBPF | DC_STEP_BEL */
	bool print;                   /* print the per-program table of the whole-object comparison */
	bool check_fds;               /* the whole-object step must leave the fd count as it was */
};

/* One loader's attempt at the whole object. */
struct dc_load {
	int status;            /* 0 loaded; -errno; DC_NOT_RUN */
	bool open_failed;      /* the failure was at open (parsing), not at load */
	char note[DC_LOG_MAX]; /* the failure as test_diff words it ("libbpf: loading X failed: ...") */
	char msg[DC_ERR_MAX];  /* the loader's own message (bel: its error; libbpf: its warnings) */
};

struct dc_prog {
	char name[DC_NAME_MAX];
	char section[DC_NAME_MAX];
	/* whole-object loads (only when both loaded) */
	bool compared;              /* both loaded, the kernel's views were compared */
	bool differs;               /* ... and differ (see dc_result.diff) */
	char tag[17];               /* bel's */
	uint32_t bel_nmaps, libbpf_nmaps;
	bool bel_metadata, metadata_same;
	/* one program at a time: libbpf alone, bel keep_going */
	int libbpf_alone;           /* 0, -errno, DC_NOT_RUN */
	int bel_keep_going;         /* bel_program_status(), DC_NOT_RUN */
	bool kg_compared, kg_differs; /* both loaded; the kernel's views differ (dc_result.kg_diff) */
	char libbpf_alone_msg[DC_ERR_MAX];
	char bel_keep_going_msg[DC_ERR_MAX];
};

/* Differences, one per line. */
struct dc_notes {
	unsigned int n;
	size_t len;
	char msg[DC_MSG_MAX];
};

struct dc_result {
	volatile int stage;         /* enum dc_stage */
	volatile unsigned int step; /* the DC_STEP_* being run */
	struct dc_load libbpf, bel; /* whole-object loads */
	int bel_keep_going;         /* bel_object_load(keep_going): its return, DC_NOT_RUN */
	bool bel_keep_going_open_failed;
	char bel_keep_going_msg[DC_ERR_MAX];
	bool libbpf_opened;         /* libbpf could open the object (its programs are listed) */
	bool bel_opened;
	unsigned int nprogs;        /* libbpf's program list when it opens the object, else bel's */
	bool truncated;             /* more than DC_MAX_PROGS programs */
	struct dc_prog progs[DC_MAX_PROGS];
	struct dc_notes diff;       /* whole-object comparison (and the fd check) */
	struct dc_notes kg_diff;    /* keep_going vs alone comparison */
	size_t bel_log_len;
	char bel_log[DC_LOG_MAX];   /* bel's warnings and errors, "  bel: <message>\n" each */
	size_t bel_warn_len;
	char bel_warn[DC_LOG_MAX];  /* bel's warnings only (BEL_MSG_WARN), one message a line */
};

/* Once per process: routes libbpf's messages to dc_run. */
void dc_init(void);
/* Load path with both loaders as opts says (r is reset first). Returns r->diff.n (differences
 * of the whole-object comparison); loader failures are in r->libbpf / r->bel. */
unsigned int dc_run(const char *path, const struct dc_opts *opts, struct dc_result *r);
/* Remove what is inside a directory (pins), keep the directory. */
void dc_empty_dir(const char *dir);

#endif
