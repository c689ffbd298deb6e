/*
 * cmd_query: the read-only commands `items`, `search` and `alerts`,
 * and what every query command shares (query.h): load the config, open
 * the database read-only (the daemon may be writing it), parse the
 * options.  Each prints in one of three forms (table.h): tab-separated
 * lines when piped (unchanged for scripts), an aligned table on a
 * terminal, JSON Lines with --json.
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
#include "daemon/query.h"
#include "daemon/table.h"
#include "util/xmalloc.h"
#include "feeds/date.h"
#include "storage/store.h"
#include "util/termtext.h"

int
query_open(const char *cmd, const char *config_path, struct query *q,
    int with_db)
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
	if (with_db &&
	    store_open(q->cfg->database, STORE_READONLY, &q->st, &err) == -1) {
		fprintf(stderr, "feedd: %s\n", err);
		free(err);
		config_free(q->cfg);
		q->cfg = NULL;
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

void
query_close(struct query *q)
{
	store_close(q->st);
	config_free(q->cfg);
}

/* Stored text on one line: controls (tabs, newlines, C1) as spaces. */
static void
put_flat(const char *s, const char *absent)
{
	term_put(stdout, s == NULL || *s == '\0' ? absent : s);
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

static const struct option query_longopts[] = {
	{ "feed", required_argument, NULL, 'f' },
	{ "rule", required_argument, NULL, 'r' },
	{ "limit", required_argument, NULL, 'n' },
	{ "test", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

int
query_parse_opts(int argc, char **argv, const char *allowed, struct qopts *o)
{
	int c, idx = -1;

	memset(o, 0, sizeof(*o));
	o->limit = QUERY_DEFAULT_LIMIT;
	optind = 1;
	opterr = 0;	/* getopt's own message lacks the "feedd: " prefix */
	while ((c = getopt_long(argc, argv, ":", query_longopts, &idx)) != -1) {
		if (c == ':') {
			cmd_error(argv[0], "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		}
		if (c == '?' || strchr(allowed, c) == NULL) {
			cmd_error(argv[0], "unknown option '%s%s'", c == '?' ?
			    "" : "--", c == '?' ? argv[optind - 1] :
			    query_longopts[idx].name);
			return -1;
		}
		if (c == 'n' && parse_limit(optarg, &o->limit) == -1) {
			cmd_error(argv[0], "--limit: not a positive number: %s",
			    optarg);
			return -1;
		}
		if (c == 'f')
			o->feed = optarg;
		else if (c == 'r')
			o->rule = optarg;
		else if (c == 't')
			o->test = optarg;
		else if (c == 'j')
			o->json = 1;
	}
	return 0;
}

int
query_start(int argc, char **argv, const char *config_path,
    const char *allowed, int words, struct qopts *o, struct query *q)
{
	if (query_parse_opts(argc, argv, allowed, o) == -1 ||
	    (words ? optind >= argc : optind != argc) || (o->rule && o->test))
		return cmd_usage(cmd_find(argv[0]));
	return query_open(argv[0], config_path, q, 1);
}

/* ---- items, search and alerts --test: stories ---- */

static int64_t
story_time(const struct story_row *s)
{
	return s->published != FEED_TIME_NONE ? s->published : s->first_seen;
}

/* date, feed, title, link: one line. */
static void
tsv_story(const struct story_row *s)
{
	put_time(story_time(s));
	putchar('\t');
	put_flat(s->feed_name, "-");
	putchar('\t');
	put_flat(s->title, "(untitled)");
	putchar('\t');
	put_flat(s->link, "-");
	putchar('\n');
}

static cJSON *
json_story(const struct story_row *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "time", out_json_time(s->first_seen));
	cJSON_AddItemToObject(o, "published", out_json_time(s->published));
	cJSON_AddItemToObject(o, "updated", out_json_time(s->updated));
	cJSON_AddItemToObject(o, "feed", out_json_str(s->feed_name));
	cJSON_AddItemToObject(o, "title", out_json_str(s->title));
	cJSON_AddItemToObject(o, "link", out_json_str(s->link));
	cJSON_AddItemToObject(o, "author", out_json_str(s->author));
	cJSON_AddNumberToObject(o, "story", (double)s->story_id);
	cJSON_AddNumberToObject(o, "story_size", s->nsources);
	return o;
}

static const char *const story_headers[] = { "AGE", "FEED", "TITLE", "LINK" };

static void
table_story(struct table *t, const struct out *o, const struct story_row *s)
{
	char age[32];

	table_cell(t, out_age(o, story_time(s), age, sizeof(age)), C_DIM);
	table_cell(t, s->feed_name, C_NONE);
	table_cell(t, s->title && *s->title ? s->title : "(untitled)",
	    C_BOLD);
	table_cell(t, s->link, C_NONE);
}

/* Prints stories (and search snippets, when hits is set). */
static void
print_stories(const struct out *o, const struct story_row *rows,
    const struct search_hit *hits, size_t n)
{
	struct table *t = NULL;

	if (o->mode == OUT_TABLE)
		t = table_new(o, story_headers, 4, 0xE, 0);
	for (size_t i = 0; i < n; i++) {
		const struct story_row *s = hits ? &hits[i].story : &rows[i];
		const char *snip = hits ? hits[i].snippet : NULL;

		if (o->mode == OUT_JSON) {
			cJSON *j = json_story(s);

			if (hits)
				cJSON_AddItemToObject(j, "snippet",
				    out_json_str(snip));
			out_json_line(stdout, j);
		} else if (t != NULL) {
			table_story(t, o, s);
			table_note(t, snip);
		} else {
			tsv_story(s);
			if (snip && *snip) {
				fputs("    ", stdout);
				put_flat(snip, "");
				putchar('\n');
			}
		}
	}
	if (t != NULL) {
		table_print(t, stdout);
		table_free(t);
	}
}

int
cmd_items(int argc, char **argv, const char *config_path)
{
	struct story_row *rows;
	struct feed_row fr;
	struct qopts opt;
	struct query q;
	struct out o;
	size_t n;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "fnj", 0, &opt, &q)) !=
	    EXIT_OK)
		return rc;
	if (opt.feed && (rc = store_feed_get(q.st, opt.feed, &fr)) != 0) {
		cmd_error(argv[0], rc == 1 ? "no feed named '%s'" : "%s",
		    rc == 1 ? opt.feed : store_errmsg(q.st));
		query_close(&q);
		return rc == 1 ? EXIT_USAGE : EXIT_RUNTIME;
	}
	if (opt.feed)
		feed_row_cleanup(&fr);
	if (store_stories_newest(q.st, opt.feed, NULL, opt.limit, &rows,
	    &n) == -1) {
		cmd_error(argv[0], "%s", store_errmsg(q.st));
		query_close(&q);
		return EXIT_RUNTIME;
	}
	out_init(&o, opt.json);
	print_stories(&o, rows, NULL, n);
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

int
cmd_search(int argc, char **argv, const char *config_path)
{
	struct search_hit *hits;
	struct qopts opt;
	struct query q;
	struct out o;
	char *text, *err = NULL;
	size_t n;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "nj", 1, &opt, &q)) !=
	    EXIT_OK)
		return rc;
	text = join_args(argc - optind, argv + optind);
	if (store_search(q.st, text, opt.limit, &hits, &n, &err) == -1) {
		cmd_error(argv[0], "%s", err ? err : "failed");
		rc = EXIT_USAGE;
	} else {
		out_init(&o, opt.json);
		print_stories(&o, NULL, hits, n);
		search_hits_free(hits, n);
	}
	free(err);
	free(text);
	query_close(&q);
	return rc;
}

static int
alerts_test(struct query *q, const char *cmd, const struct qopts *opt)
{
	struct story_row *rows;
	struct match_expr *e;
	char *err = NULL;
	struct out o;
	size_t n;

	if ((e = match_compile(opt->test, &err)) == NULL) {
		cmd_error(cmd, "%s", err ? err : "invalid expression");
		free(err);
		return EXIT_USAGE;
	}
	if (store_match_test(q->st, e, opt->limit, &rows, &n) == -1) {
		cmd_error(cmd, "%s", store_errmsg(q->st));
		match_free(e);
		return EXIT_RUNTIME;
	}
	out_init(&o, opt->json);
	print_stories(&o, rows, NULL, n);
	story_rows_free(rows, n);
	match_free(e);
	return EXIT_OK;
}

/* The alert log's JSON fields, and the story. */
static cJSON *
json_alert(const struct alert_row *a)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "time", out_json_time(a->fired_at));
	cJSON_AddItemToObject(o, "rule", out_json_str(a->rule));
	cJSON_AddItemToObject(o, "title", out_json_str(a->title));
	cJSON_AddItemToObject(o, "link", out_json_str(a->link));
	cJSON_AddItemToObject(o, "feed", out_json_str(a->feed));
	cJSON_AddItemToObject(o, "published", out_json_time(a->published));
	cJSON_AddNumberToObject(o, "story", (double)a->story_id);
	return o;
}

static const char *const alert_headers[] = {
	"FIRED", "RULE", "FEED", "TITLE", "LINK",
};

static void
print_alerts(const struct out *o, const struct alert_row *rows, size_t n)
{
	struct table *t = NULL;
	char age[32];

	if (o->mode == OUT_TABLE)
		t = table_new(o, alert_headers, 5, 0x1C, 0);
	for (size_t i = 0; i < n; i++) {
		const struct alert_row *a = &rows[i];

		if (o->mode == OUT_JSON)
			out_json_line(stdout, json_alert(a));
		else if (t != NULL) {
			table_cell(t, out_age(o, a->fired_at, age, sizeof(age)),
			    C_DIM);
			table_cell(t, a->rule, C_YELLOW);
			table_cell(t, a->feed, C_NONE);
			table_cell(t, a->title, C_BOLD);
			table_cell(t, a->link, C_NONE);
		} else {
			char *line = alert_format_line(a, ALERT_FORMAT_TEXT);

			fputs(line, stdout);
			free(line);
		}
	}
	if (t != NULL) {
		table_print(t, stdout);
		table_free(t);
	}
}

static int
alerts_list(struct query *q, const char *cmd, const struct qopts *opt)
{
	struct alert_row *rows;
	struct out o;
	size_t n;

	if (store_alerts_list(q->st, opt->rule, opt->limit, &rows, &n) == -1) {
		cmd_error(cmd, "%s", store_errmsg(q->st));
		return EXIT_RUNTIME;
	}
	out_init(&o, opt->json);
	print_alerts(&o, rows, n);
	alert_rows_free(rows, n);
	return EXIT_OK;
}

int
cmd_alerts(int argc, char **argv, const char *config_path)
{
	struct qopts opt;
	struct query q;
	int rc;

	if ((rc = query_start(argc, argv, config_path, "rntj", 0, &opt, &q)) !=
	    EXIT_OK)
		return rc;
	rc = opt.test ? alerts_test(&q, argv[0], &opt) :
	    alerts_list(&q, argv[0], &opt);
	query_close(&q);
	return rc;
}
