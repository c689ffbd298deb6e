/*
 * render_one DB MAX_ENTRIES OUTDIR: renders feed.xml and feed.json from
 * the database DB (made by store_bench from the realistic corpus) with
 * max_entries = MAX_ENTRIES, forced, once, as the daemon does; prints
 * "entries cpu_s us_per_entry peak_rss_mb minor_faults".  One process
 * per size, so the peak RSS is that size's own.  Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "daemon/output.h"
#include "util/xmalloc.h"
#include "storage/store.h"

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
count(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "r");
	char line[8192];
	int n = 0;

	while (fp && fgets(line, sizeof(line), fp))
		n += strstr(line, needle) != NULL;
	if (fp)
		fclose(fp);
	return n;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct output *out;
	struct rusage ru;
	char *err = NULL;
	double t;
	int n;

	if (argc != 4) {
		fprintf(stderr, "usage: render_one DB MAX_ENTRIES OUTDIR\n");
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.title = "feedd bench";
	cfg.max_entries = atoi(argv[2]);
	cfg.atom_path = xasprintf("%s/feed.xml", argv[3]);
	cfg.json_path = xasprintf("%s/feed.json", argv[3]);
	if (store_open(argv[1], STORE_READWRITE, &st, &err) == -1) {
		fprintf(stderr, "render_one: %s\n", err);
		return 1;
	}
	out = output_new();
	t = cpu_s();
	if (output_render(out, st, &cfg, 1, &err) == -1) {
		fprintf(stderr, "render_one: %s\n", err);
		return 1;
	}
	t = cpu_s() - t;
	getrusage(RUSAGE_SELF, &ru);
	n = count(cfg.atom_path, "<entry");
	printf("%d %.3f %.1f %.2f %ld\n", n, t, n ? t * 1e6 / n : 0.0,
	    ru.ru_maxrss / 1024.0, ru.ru_minflt);
	output_free(out);
	store_close(st);
	free(cfg.atom_path);
	free(cfg.json_path);
	return 0;
}
