/* SPDX-License-Identifier: MIT */
/* What execmon's BPF side sends its user side, one ring buffer record per event. */
#ifndef EXECMON_H
#define EXECMON_H

#define EXECMON_COMM_LEN 16
#define EXECMON_FILE_LEN 127

enum execmon_kind {
	EXECMON_EXEC = 1,
	EXECMON_EXIT = 2,
};

struct execmon_event {
	unsigned int kind;              /* enum execmon_kind */
	int pid, ppid;
	unsigned int exit_code;         /* EXIT: the status's exit code */
	unsigned long long duration_ns; /* EXIT: since the process's exec, 0 if it was not seen */
	char comm[EXECMON_COMM_LEN];
	char filename[EXECMON_FILE_LEN + 1]; /* EXEC: the file executed */
};

#endif
