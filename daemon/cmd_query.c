/*
 * cmd_query: the read-only commands `feeds`, `items`, `search` and
 * `alerts`: load the config, open the database read-only (the daemon
 * may be writing it), print tab-separated lines on stdout.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/alert.h"
#include "daemon/cmd.h"
#include "util/xmalloc.h"
#include "feeds/date.h"
#include "storage/store.h"

#define DEFAULT_LIMIT 20

/* What every query command opens. */
struct query {
	struct config *cfg;
	struct store *st;
};

static int
query_open(const char *cmd, const char *config_path, struct query *q)
{
	struct config_errors errs = { 0 };
	char *err = NULL;

	memset(q, 0, sizeof(*q));
	if ((q->cfg = config_load(config_path, &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		if (errs.n == 0)
			cmd_error(cmd, "%s: cannot load", config_path);
		config_errors_cleanup(&errs);
		return EXIT_USAGE;
	}
	config_errors_cleanup(&errs);
	if (store_open(q->cfg->database, STORE_READONLY, &q->st, &err) == -1) {
		fprintf(stderr, "feedd: %s\n", err);
		free(err);
		config_free(q->cfg);
		q->cfg = NULL;
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void
query_close(struct query *q)
{
	store_close(q->st);
	config_free(q->cfg);
}

/*
 * Prints s with tabs, newlines and other controls as spaces: C0, DEL
 * and C1 (U+0080-U+009F, which some terminals obey as ESC sequences:
 * U+009B is CSI), so no stored text moves a terminal or a line.
 */
static void
put_flat(const char *s, const char *absent)
{
	const unsigned char *p;

	if (s == NULL || *s == '\0')
		s = absent;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			putchar(' ');
			p++;
		} else
			putchar(*p < 0x20 || *p == 0x7f ? ' ' : *p);
	}
}

static void
put_time(int64_t t)
{
	char buf[DATE_RFC3339_LEN];

	fputs(t <= 0 || t == FEED_TIME_NONE ? "-" :
	    date_format_rfc3339(t, buf, sizeof(buf)), stdout);
}

static int
parse_limit(const char *s, int *limit)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > INT_MAX)
		return -1;
	*limit = (int)v;
	return 0;
}

static const struct option limit_opts[] = {
	{ "feed", required_argument, NULL, 'f' },
	{ "rule", required_argument, NULL, 'r' },
	{ "limit", required_argument, NULL, 'n' },
	{ "test", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parses argv with the options in `allowed` (of f, r, n, t), setting
 * the matching out-values.  -1 on a bad option.
 */
static int
parse_opts(int argc, char **argv, const char *allowed, const char **feed,
    int *limit, const char **test)
{
	int c, idx = -1;

	optind = 1;
	opterr = 0;	/* getopt's own message lacks the "feedd: " prefix */
	while ((c = getopt_long(argc, argv, ":", limit_opts, &idx)) != -1) {
		if (c == ':') {
			cmd_error(argv[0], "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		}
		if (c == '?' || strchr(allowed, c) == NULL) {
			cmd_error(argv[0], "unknown option '%s%s'", c == '?' ?
			    "" : "--", c == '?' ? argv[optind - 1] :
			    limit_opts[idx].name);
			return -1;
		}
		if (c == 'n' && parse_limit(optarg, limit) == -1) {
			cmd_error(argv[0], "--limit: not a positive number: %s",
			    optarg);
			return -1;
		}
		if (c == 'f' || c == 'r')
			*feed = optarg;
		if (c == 't')
			*test = optarg;
	}
	return 0;
}

/* The options of the query commands. */
struct query_opts {
	const char *name;	/* --feed or --rule */
	const char *test;	/* --test */
	int	 limit;
};

/*
 * What every query command starts with: its options (allowed), its
 * words (words: one or more, else none) and the store.  EXIT_OK, or the
 * exit status to return.
 */
static int
query_start(int argc, char **argv, const char *config_path,
    const char *allowed, int words, struct query_opts *o, struct query *q)
{
	o->name = o->test = NULL;
	o->limit = DEFAULT_LIMIT;
	if (parse_opts(argc, argv, allowed, &o->name, &o->limit,
	    &o->test) == -1 || (words ? optind >= argc : optind != argc) ||
	    (o->name && o->test))
		return cmd_usage(cmd_find(argv[0]));
	return query_open(argv[0], config_path, q);
}

static void
print_status(const struct feed_row *f)
{
	if (f->gone)
		fputs("gone", stdout);
	else if (f->last_fetch == 0)
		fputs("never", stdout);
	else if (f->last_error) {
		fputs("error: ", stdout);
		put_flat(f->last_error, "?");
	} else if (f->last_status)
		printf("%d", f->last_status);
	else
		fputs("ok", stdout);
}

static void
print_feed(const struct feed_row *f)
{
	put_flat(f->name, "-");
	putchar('\t');
	put_flat(f->url, "-");
	putchar('\t');
	print_status(f);
	putchar('\t');
	put_time(f->last_fetch);
	putchar('\t');
	put_time(f->gone || !f->active ? 0 : f->next_due);
	printf("\t%lld\t%d\t", (long long)f->items, f->consecutive_errors);
	if (f->fetches > 0)
		printf("304:%lld%%", (long long)(f->not_modified * 100 /
		    f->fetches));
	else
		fputs("304:-", stdout);
	if (f->redirect_url) {
		fputs("\tmoved: ", stdout);
		put_flat(f->redirect_url, "-");
	}
	if (!f->active)
		fputs("\tinactive", stdout);
	putchar('\n');
}

int
cmd_feeds(int argc, char **argv, const char *config_path)
{
	struct feed_row *rows;
	struct query q;
	size_t n;
	int rc;

	if (argc > 1)
		return cmd_usage(cmd_find(argv[0]));
	if ((rc = query_open(argv[0], config_path, &q)) != EXIT_OK)
		return rc;
	if (store_feeds_list(q.st, &rows, &n) == -1) {
		cmd_error(argv[0], "%s", store_errmsg(q.st));
		query_close(&q);
		return EXIT_RUNTIME;
	}
	if (isatty(STDOUT_FILENO))
		printf("NAME\tURL\tSTATUS\tLAST FETCH\tNEXT DUE\tITEMS\t"
		    "ERRORS\t304 SHARE\n");
	for (size_t i = 0; i < n; i++)
		print_feed(&rows[i]);
	feed_rows_free(rows, n);
	query_close(&q);
	return EXIT_OK;
}

/* date, feed, title, link: one line. */
static void
print_story(const struct story_row *s)
{
	put_time(s->published != FEED_TIME_NONE ? s->published :
	    s->first_seen);
	putchar('\t');
	put_flat(s->feed_name, "-");
	putchar('\t');
	put_flat(s->title, "(untitled)");
	putchar('\t');
	put_flat(s->link, "-");
	putchar('\n');
}

static void
print_stories(const struct story_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		print_story(&rows[i]);
}

int
cmd_items(int argc, char **argv, const char *config_path)
{
	struct query_opts o;
	struct story_row *rows;
	struct feed_row fr;
	struct query q;
	const char *feed;
	size_t n;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "fn", 0, &o, &q)) !=
	    EXIT_OK)
		return rc;
	feed = o.name;
	if (feed && (rc = store_feed_get(q.st, feed, &fr)) != 0) {
		cmd_error(argv[0], rc == 1 ? "no feed named '%s'" : "%s",
		    rc == 1 ? feed : store_errmsg(q.st));
		query_close(&q);
		return rc == 1 ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (feed)
		feed_row_cleanup(&fr);
	if (store_stories_newest(q.st, feed, NULL, o.limit, &rows, &n) == -1) {
		cmd_error(argv[0], "%s", store_errmsg(q.st));
		query_close(&q);
		return EXIT_RUNTIME;
	}
	print_stories(rows, n);
	story_rows_free(rows, n);
	query_close(&q);
	return EXIT_OK;
}

static char *
join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(1, len);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void
print_hits(const struct search_hit *hits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		print_story(&hits[i].story);
		if (hits[i].snippet && *hits[i].snippet) {
			fputs("    ", stdout);
			put_flat(hits[i].snippet, "");
			putchar('\n');
		}
	}
}

int
cmd_search(int argc, char **argv, const char *config_path)
{
	struct query_opts o;
	struct search_hit *hits;
	struct query q;
	char *text, *err = NULL;
	size_t n;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "n", 1, &o, &q)) !=
	    EXIT_OK)
		return rc;
	text = join_args(argc - optind, argv + optind);
	if (store_search(q.st, text, o.limit, &hits, &n, &err) == -1) {
		cmd_error(argv[0], "%s", err ? err : "failed");
		rc = EXIT_USAGE;
	} else {
		print_hits(hits, n);
		search_hits_free(hits, n);
	}
	free(err);
	free(text);
	query_close(&q);
	return rc;
}

static int
alerts_test(struct query *q, const char *cmd, const char *expr, int limit)
{
	struct story_row *rows;
	struct match_expr *e;
	char *err = NULL;
	size_t n;

	if ((e = match_compile(expr, &err)) == NULL) {
		cmd_error(cmd, "%s", err ? err : "invalid expression");
		free(err);
		return EXIT_USAGE;
	}
	if (store_match_test(q->st, e, limit, &rows, &n) == -1) {
		cmd_error(cmd, "%s", store_errmsg(q->st));
		match_free(e);
		return EXIT_RUNTIME;
	}
	print_stories(rows, n);
	story_rows_free(rows, n);
	match_free(e);
	return EXIT_OK;
}

static int
alerts_list(struct query *q, const char *cmd, const char *rule, int limit)
{
	struct alert_row *rows;
	size_t n;

	if (store_alerts_list(q->st, rule, limit, &rows, &n) == -1) {
		cmd_error(cmd, "%s", store_errmsg(q->st));
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < n; i++) {
		char *line = alert_format_line(&rows[i], ALERT_FORMAT_TEXT);

		fputs(line, stdout);
		free(line);
	}
	alert_rows_free(rows, n);
	return EXIT_OK;
}

int
cmd_alerts(int argc, char **argv, const char *config_path)
{
	struct query_opts o;
	struct query q;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "rnt", 0, &o, &q)) !=
	    EXIT_OK)
		return rc;
	rc = o.test ? alerts_test(&q, argv[0], o.test, o.limit) :
	    alerts_list(&q, argv[0], o.name, o.limit);
	query_close(&q);
	return rc;
}
