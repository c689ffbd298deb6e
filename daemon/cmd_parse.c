/*
 * cmd_parse: `feedd parse [--base URL] [--charset NAME] FILE...|-`.
 * Streams each file through the feed parser in 64 KB reads and prints
 * it as the JSON of INTERFACE.md: one input is printed pretty (indented),
 * several as JSON Lines (one compact object per line, in order).  No
 * config, no database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cmd.h"
#include "util/xmalloc.h"
#include "feeds/json_out.h"
#include "feeds/parse.h"

#define PARSE_CHUNK	(64 * 1024)

struct parse_opts {
	const char *base;
	const char *charset;
	int	 pretty;
	char	*chunk;		/* PARSE_CHUNK bytes, reused per file */
	struct buf out;		/* JSON of one document, reused */
};

/* Reads fp through the parser.  The doc, or NULL with *errstr. */
static struct feed_doc *
parse_stream(FILE *fp, const struct parse_opts *o, char **errstr)
{
	struct feed_parser *p = feed_parser_new(o->base, o->charset);
	struct feed_doc *doc = NULL;
	char *chunk = o->chunk;
	size_t n;

	*errstr = NULL;
	while ((n = fread(chunk, 1, PARSE_CHUNK, fp)) > 0)
		if (feed_parser_push(p, chunk, n, errstr) == -1)
			goto out;
	if (ferror(fp)) {
		*errstr = xasprintf("read: %s", strerror(errno));
		goto out;
	}
	doc = feed_parser_finish(p, errstr);
out:
	feed_parser_free(p);
	return doc;
}

/* 0 when path was a feed and was printed, -1 otherwise (reported). */
static int
parse_one(const char *path, struct parse_opts *o)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct feed_doc *doc;
	char *err = NULL;
	int rc = 0;

	if (fp == NULL) {
		cmd_error(path, "%s", strerror(errno));
		return -1;
	}
	doc = parse_stream(fp, o, &err);
	if (fp != stdin)
		fclose(fp);
	if (doc == NULL) {
		cmd_error(path, "%s", err ? err : "not a feed");
		rc = -1;
	} else {
		buf_reset(&o->out);
		json_put_doc(&o->out, doc, o->pretty);
		if (fwrite(o->out.data, 1, o->out.len, stdout) != o->out.len ||
		    ferror(stdout)) {
			cmd_error(path, "write: %s", strerror(errno));
			rc = -1;
		}
	}
	free(err);
	feed_doc_free(doc);
	return rc;
}

/* Takes the options out; returns the index of the first file, or -1. */
static int
parse_args(int argc, char **argv, struct parse_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (strcmp(a, "--base") == 0 || strcmp(a, "--charset") == 0) {
			if (i + 1 == argc) {
				cmd_error(argv[0], "option '%s' needs a value",
				    a);
				return -1;
			}
			*(a[2] == 'b' ? &o->base : &o->charset) = argv[++i];
		} else if (strncmp(a, "--base=", 7) == 0)
			o->base = a + 7;
		else if (strncmp(a, "--charset=", 10) == 0)
			o->charset = a + 10;
		else if (a[0] == '-' && a[1] != '\0') {
			cmd_error(argv[0], "unknown option '%s'", a);
			return -1;
		} else
			return i;
	}
	return i;
}

int
cmd_parse(int argc, char **argv, const char *config_path)
{
	struct parse_opts o = { 0 };
	int first, status = EXIT_OK;

	(void)config_path;
	if ((first = parse_args(argc, argv, &o)) == -1 || first >= argc)
		return cmd_usage(cmd_find("parse"));
	o.pretty = argc - first == 1;
	o.chunk = xmalloc(PARSE_CHUNK);
	buf_init(&o.out, 0);
	for (int i = first; i < argc; i++)
		if (parse_one(argv[i], &o) == -1)
			status = EXIT_RUNTIME;
	free(o.chunk);
	buf_cleanup(&o.out);
	if (fflush(stdout) == EOF) {
		cmd_error(argv[0], "standard output: %s", strerror(errno));
		status = EXIT_RUNTIME;
	}
	return status;
}
