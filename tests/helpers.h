/*
 * helpers: what the criterion suites share: running the real binary,
 * temporary folders, files in and out.  Paths are relative to the
 * project root, where `make test` runs the suites.
 */
#ifndef FEEDD_TEST_HELPERS_H
#define FEEDD_TEST_HELPERS_H

#include <stddef.h>

struct th_result {
	int	 status;	/* exit status, or 128+signal */
	char	*out;		/* stdout, NUL-terminated */
	size_t	 outlen;
	char	*err;		/* stderr */
	size_t	 errlen;
	long	 maxrss_kb;	/* its peak RSS */
};

/* build/feedd (or $FEEDD_BIN). */
const char *th_feedd(void);
/* ../shared (or $FEEDD_SHARED). */
const char *th_shared(void);

/*
 * Runs argv (argv[0] a path) with stdin_data on standard input (may be
 * NULL), killing it after timeout_s seconds.  Returns 0, or -1 when it
 * could not be started.  Free the result with th_result_cleanup.
 */
int	 th_run(char *const argv[], const char *stdin_data, int timeout_s,
	    struct th_result *res);
/* th_run of feedd with the given arguments, NULL-terminated. */
int	 th_feedd_run(struct th_result *res, int timeout_s, ...);
void	 th_result_cleanup(struct th_result *res);

/* A new empty folder under /tmp; caller frees the path (th_rmdir it). */
char	*th_tmpdir(void);
void	 th_rmdir(const char *path);
/*
 * Makes path a new, migrated feedd database, as store_open would, by
 * copying the one the runner migrated at start (no migrations per test).
 */
void	 th_db_new(const char *path);
/* Whole file, NUL-terminated, or NULL; *len may be NULL. */
char	*th_read_file(const char *path, size_t *len);
/* Occurrences of needle in s, not overlapping; lines ('\n') in s. */
int	 th_count_of(const char *s, const char *needle);
int	 th_nlines(const char *s);
struct feed_doc;
/* The errors of doc that hold needle. */
size_t	 th_doc_errors(const struct feed_doc *doc, const char *needle);
/* An RSS document of n small items (about 110 bytes each); caller frees. */
char	*th_rss_of_items(size_t n);
int	 th_write_file(const char *path, const char *data, size_t len);
/*
 * Runs shared/tools/validate-feed on each of the n files at once (a
 * big Atom file's checks split over two processes): the suite's longest
 * wait, spread over the cores.  Expects every check to pass; a missing
 * checker tool fails its check (scripts/install-deps installs them).
 */
void	 th_validate_feeds(const char *const *paths, size_t n);
/* Fails the test unless tool is on PATH (scripts/install-deps has it). */
void	 th_require_tool(const char *tool);
/*
 * A TCP port free on 127.0.0.1 now, from the kernel (bind to port 0),
 * for a daemon's listen: a port made from the pid can be one of the
 * machine's outgoing connections.
 */
int	 th_free_port(void);
/* Joins two path parts; caller frees. */
char	*th_path(const char *dir, const char *name);

#endif
