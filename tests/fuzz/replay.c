/* SPDX-License-Identifier: MIT */
/*
 * fuzz_replay: every fuzz target's entry point over saved inputs, without libFuzzer, so that
 * a plain `meson test` (and the ASan+UBSan build of scripts/test.sh) keeps every crash the
 * fuzzers ever found fixed.
 *
 *     fuzz_replay PATH...
 *
 * A PATH is a file or a directory, whose files (not its subdirectories; names starting with
 * '.' or "README" skipped) are each run through every target: an input saved for one target
 * is just another input for the others. A missing directory counts as empty. A crash, a
 * sanitizer report or a broken invariant ends the process; otherwise it prints how many
 * inputs ran and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static const struct {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
} targets[] = {
	{"object", bel_fuzz_object},
	{"btf", bel_fuzz_btf},
	{"binary", bel_fuzz_binary},
};

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n, t;

	if (!f) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (size == cap) {
			uint8_t *grown;

			cap = cap ? cap * 2 : 65536;
			grown = realloc(data, cap);
			if (!grown) {
				fprintf(stderr, "fuzz_replay: %s: out of memory\n", path);
				free(data);
				fclose(f);
				return -1;
			}
			data = grown;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "fuzz_replay: %s: read error\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		/* An exactly-sized copy, as libFuzzer gives, so ASan sees reads past the end. */
		uint8_t *copy = malloc(size ? size : 1);

		if (!copy) {
			free(data);
			return -1;
		}
		memcpy(copy, data, size);
		fprintf(stderr, "fuzz_replay: %s: %s (%zu bytes): ", targets[t].name, path, size);
		fprintf(stderr, "%s\n", targets[t].run(copy, size) ? "parsed" : "refused");
		free(copy);
	}
	free(data);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay a file or the files of a directory; returns inputs run, or -1. */
static int replay_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	int ran = 0;
	DIR *d;

	if (stat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) ? -1 : 1;
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **grown;

		if (de->d_name[0] == '.' || !strncmp(de->d_name, "README", 6))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = malloc(strlen(path) + strlen(de->d_name) + 2))) {
			fprintf(stderr, "fuzz_replay: out of memory\n");
			free(grown ? grown : names);
			closedir(d);
			return -1;
		}
		names = grown;
		sprintf(names[n++], "%s/%s", path, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (ran >= 0 && !stat(names[i], &st) && S_ISREG(st.st_mode))
			ran = replay_file(names[i]) ? -1 : ran + 1;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	int i, total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int ran = replay_path(argv[i]);

		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("fuzz_replay: %d inputs through %zu targets, no crash\n", total,
	       sizeof(targets) / sizeof(targets[0]));
	return 0;
}
