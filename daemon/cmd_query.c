/*
 * cmd_query: the read-only commands `items`, `stories`, `search` and
 * `alerts`, and what every query command shares (query.h): parse the
 * options, load the config, open the database read-only (the daemon
 * may be writing it), run the command, close.  Each prints in one of
 * three forms (table.h, out_print_rows): tab-separated lines when
 * piped (unchanged for scripts), an aligned table on a terminal, JSON
 * Lines with --json.
 */
#include <getopt.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/alert.h"
#include "daemon/cmd.h"
#include "daemon/query.h"
#include "daemon/table.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "feeds/date.h"
#include "storage/store.h"
#include "util/termtext.h"

int
query_open(const char *cmd, const char *config_path, struct query *q,
    enum query_db db)
{
	char *err = NULL;

	memset(q, 0, sizeof(*q));
	if ((q->cfg = cmd_config_load(cmd, config_path)) == NULL)
		return EXIT_USAGE;
	if (db == QUERY_NO_DB || (db == QUERY_DB_OPTIONAL &&
	    access(q->cfg->database, F_OK) == -1 && errno == ENOENT))
		return EXIT_OK;
	if (store_open(q->cfg->database, STORE_READONLY, &q->st, &err) == -1) {
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
		if (cmd_opt_check(argv, c) == -1)
			return -1;
		if (strchr(allowed, c) == NULL) {
			/* an option of another query command */
			cmd_error(argv[0], "unknown option '--%s'",
			    query_longopts[idx].name);
			return -1;
		}
		if (c == 'n' && parse_limit(optarg, &o->limit) == -1) {
			cmd_error(argv[0], "--limit: not a number from 1 to "
			    "%d: %s", INT_MAX, optarg);
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
query_run(int argc, char **argv, const char *config_path,
    const struct cmd *cmd)
{
	struct qopts opt;
	struct query q;
	int rc;

	if (query_parse_opts(argc, argv, cmd->opts, &opt) == -1 ||
	    ((cmd->flags & QUERY_WORDS) ? optind >= argc : optind != argc) ||
	    (opt.rule && opt.test))
		return cmd_usage(cmd);
	if ((rc = query_open(argv[0], config_path, &q,
	    (cmd->flags & QUERY_DB_IF_ANY) ? QUERY_DB_OPTIONAL : QUERY_DB)) !=
	    EXIT_OK)
		return rc;
	q.cmd = argv[0];
	q.opt = opt;
	q.words = argv + optind;
	q.nwords = argc - optind;
	out_init(&q.out, opt.json);
	rc = cmd->query(&q);
	query_close(&q);
	return rc;
}

int
query_fail(const struct query *q)
{
	cmd_error(q->cmd, "%s", store_errmsg(q->st));
	return EXIT_RUNTIME;
}

/* ---- stories as items, search and alerts --test print them ---- */

static int64_t
story_time(const struct story_row *s)
{
	return s->published != FEED_TIME_NONE ? s->published : s->first_seen;
}

static const char *
story_title(const struct story_row *s)
{
	return s->title && *s->title ? s->title : "(untitled)";
}

/* feed, title, link: the end of a story's line. */
static void
tsv_source(const struct story_row *s)
{
	out_put_text(s->feed_name, "-");
	putchar('\t');
	out_put_text(s->title, "(untitled)");
	putchar('\t');
	out_put_text(s->link, "-");
	putchar('\n');
}

/* date, feed, title, link: one line. */
static void
tsv_story(const struct story_row *s)
{
	out_put_time(story_time(s));
	putchar('\t');
	tsv_source(s);
}

static const struct out_field story_fields[] = {
	OUT_TIME_FIELD("time", struct story_row, first_seen),
	OUT_TIME_FIELD("published", struct story_row, published),
	OUT_TIME_FIELD("updated", struct story_row, updated),
	OUT_FIELD("feed", struct story_row, feed_name),
	OUT_FIELD("title", struct story_row, title),
	OUT_FIELD("link", struct story_row, link),
	OUT_FIELD("author", struct story_row, author),
	OUT_FIELD("story", struct story_row, story_id),
	OUT_FIELD("story_size", struct story_row, nitems),
	OUT_FIELD("joined_by", struct story_row, why),
};

static cJSON *
json_story(const struct story_row *s)
{
	return out_json_fields(cJSON_CreateObject(), s, story_fields,
	    OUT_NFIELDS(story_fields));
}

/*
 * age, feed, title, link.  As items print them (items), a story's later
 * items are indented under its first ("\u21b3"), the first saying how
 * many the story has.
 */
enum story_cell {
	CELL_STORY,
	CELL_FIRST,
	CELL_MEMBER,
};

static void
table_story(struct table *t, const struct out *o, const struct story_row *s,
    enum story_cell as)
{
	char age[32];

	table_cell(t, out_age(o, story_time(s), age, sizeof(age)), C_DIM);
	table_cell(t, s->feed_name, C_NONE);
	if (as == CELL_MEMBER)
		table_cellf(t, C_NONE, "  \xe2\x86\xb3 %s", story_title(s));
	else if (as == CELL_FIRST && s->nitems > 1)
		table_cellf(t, C_BOLD, "%s [%d items]", story_title(s),
		    s->nitems);
	else
		table_cell(t, story_title(s), C_BOLD);
	table_cell(t, s->link, C_NONE);
}

/* ---- alerts --test: stories ---- */

static cJSON *
story_json(const void *rows, size_t i)
{
	return json_story((const struct story_row *)rows + i);
}

static void
story_cells(struct table *t, const struct out *o, const void *rows, size_t i)
{
	table_story(t, o, (const struct story_row *)rows + i, CELL_STORY);
}

static void
story_line(const void *rows, size_t i)
{
	tsv_story((const struct story_row *)rows + i);
}

static const char *const story_headers[] = { "AGE", "FEED", "TITLE", "LINK" };
/* stories, search hits and items share them */
static const struct table_cols story_cols = TABLE_COLS(story_headers, 0xE, 0);

static const struct out_rows story_out = {
	&story_cols, story_json, story_cells, story_line,
};

/* ---- search: stories, each with a snippet of what matched ---- */

static cJSON *
hit_json(const void *rows, size_t i)
{
	const struct search_hit *h = (const struct search_hit *)rows + i;
	cJSON *j = json_story(&h->story);

	cJSON_AddItemToObject(j, "snippet", out_json_str(h->snippet));
	return j;
}

static void
hit_cells(struct table *t, const struct out *o, const void *rows, size_t i)
{
	const struct search_hit *h = (const struct search_hit *)rows + i;

	table_story(t, o, &h->story, CELL_STORY);
	table_note(t, h->snippet);
}

static void
hit_line(const void *rows, size_t i)
{
	const struct search_hit *h = (const struct search_hit *)rows + i;

	tsv_story(&h->story);
	if (h->snippet && *h->snippet) {
		fputs("    ", stdout);
		out_put_text(h->snippet, "");
		putchar('\n');
	}
}

static const struct out_rows hit_out = {
	&story_cols, hit_json, hit_cells, hit_line,
};

/* ---- items: items grouped by story ---- */

/* An item as printed: it, and the story of the one printed before it
 * (0: none), under whose first item it is indented in a table. */
struct item_view {
	const struct story_row *row;
	int64_t	 prev_story;
};

static cJSON *
item_json(const void *rows, size_t i)
{
	return json_story(((const struct item_view *)rows)[i].row);
}

static void
item_cells(struct table *t, const struct out *o, const void *rows, size_t i)
{
	const struct item_view *v = (const struct item_view *)rows + i;

	table_story(t, o, v->row, v->prev_story == v->row->story_id ?
	    CELL_MEMBER : CELL_FIRST);
}

static void
item_line(const void *rows, size_t i)
{
	tsv_story(((const struct item_view *)rows)[i].row);
}

static const struct out_rows item_out = {
	&story_cols, item_json, item_cells, item_line,
};

/* What printing items as they are read keeps: print_item's arg. */
struct item_print {
	struct out_stream out;
	int64_t	 prev_story;
};

static int
print_item(struct story_row *r, void *arg)
{
	struct item_print *p = arg;
	struct item_view v = { r, p->prev_story };

	out_stream_row(&p->out, &v, 0);
	p->prev_story = r->story_id;
	return 0;
}

/*
 * Rows are printed as they are read, not collected first: `items
 * --limit 300000` over the 10,000-feed bench store took 750 MB so.
 * A failure midway leaves the rows before it printed.
 */
int
cmd_items(struct query *q)
{
	struct item_print p = { { 0 }, 0 };
	struct feed_row fr;
	int rc;

	if (q->opt.feed && (rc = store_feed_get(q->st, q->opt.feed, &fr)) != 0) {
		if (rc != 1)
			return query_fail(q);
		cmd_error(q->cmd, "no feed named '%s'", q->opt.feed);
		return EXIT_USAGE;
	}
	if (q->opt.feed)
		feed_row_cleanup(&fr);
	out_stream_open(&p.out, &q->out, &item_out);
	rc = store_items_newest_each(q->st, q->opt.feed, q->opt.limit,
	    print_item, &p);
	out_stream_close(&p.out);
	return rc == -1 ? query_fail(q) : EXIT_OK;
}

static const struct out_field story_source_fields[] = {
	OUT_FIELD("story", struct story_row, story_id),
	OUT_TIME_FIELD("time", struct story_row, first_seen),
	OUT_TIME_FIELD("updated", struct story_row, last_seen),
	OUT_TIME_FIELD("published", struct story_row, published),
	OUT_FIELD("title", struct story_row, title),
	OUT_FIELD("link", struct story_row, link),
	OUT_FIELD("feed", struct story_row, feed_name),
};

/* A story as JSON: its first item, its size and every source. */
static cJSON *
json_story_sources(const struct story_row *r, const struct story_row *m,
    size_t n)
{
	cJSON *o = cJSON_CreateObject(), *src = cJSON_CreateArray();

	out_json_fields(o, r, story_source_fields,
	    OUT_NFIELDS(story_source_fields));
	cJSON_AddNumberToObject(o, "size", (double)n);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(src, json_story(&m[i]));
	cJSON_AddItemToObject(o, "sources", src);
	return o;
}

static const char *const stories_headers[] = {
	"AGE", "STORY", "ITEMS", "FEED", "TITLE", "LINK",
};
static const struct table_cols stories_cols = TABLE_COLS(stories_headers,
    0x30, 0x6);

/*
 * A story: its first item's line, then one per other source, piped as
 * "\t\t\t+ FEED\tTITLE\tLINK"; on a terminal one note under the row
 * names the other sources' feeds.
 */
static void
print_story_sources(struct table *t, const struct out *o,
    const struct story_row *r, const struct story_row *m, size_t n)
{
	char age[32];

	if (t != NULL) {
		table_cell(t, out_age(o, story_time(r), age, sizeof(age)),
		    C_DIM);
		table_cellf(t, C_NONE, "%lld", (long long)r->story_id);
		table_cellf(t, C_NONE, "%zu", n);
		table_cell(t, r->feed_name, C_NONE);
		table_cell(t, story_title(r), C_BOLD);
		table_cell(t, r->link, C_NONE);
		if (n > 1) {
			struct buf b;

			buf_init(&b, 0);
			buf_puts(&b, "also reported by: ");
			for (size_t i = 1; i < n; i++)
				buf_printf(&b, "%s%s", i > 1 ? ", " : "",
				    m[i].feed_name ? m[i].feed_name : "-");
			table_note(t, buf_str(&b));
			buf_cleanup(&b);
		}
		return;
	}
	out_put_time(story_time(r));
	printf("\t%lld\t%zu\t", (long long)r->story_id, n);
	tsv_source(r);
	for (size_t i = 1; i < n; i++) {
		fputs("\t\t\t+ ", stdout);
		tsv_source(&m[i]);
	}
}

/* What printing stories as they are read keeps (cmd_items' reason). */
struct story_print {
	const struct out *out;
	struct table *t;
};

static int
print_story(struct story_row *r, struct story_row *m, size_t nm, void *arg)
{
	struct story_print *p = arg;

	if (p->out->mode == OUT_JSON)
		out_json_line(stdout, json_story_sources(r, m, nm));
	else
		print_story_sources(p->t, p->out, r, m, nm);
	return 0;
}

int
cmd_stories(struct query *q)
{
	struct story_print p = { &q->out, table_new(&q->out, &stories_cols) };
	int rc = store_stories_items_each(q->st, q->opt.limit, print_story,
	    &p);

	table_flush(p.t, stdout);
	return rc == -1 ? query_fail(q) : EXIT_OK;
}

static int
print_hit(struct search_hit *h, void *arg)
{
	out_stream_row(arg, h, 0);
	return 0;
}

int
cmd_search(struct query *q)
{
	char *text = strv_join(q->words, (size_t)q->nwords, " "), *err = NULL;
	struct out_stream out;
	int rc;

	out_stream_open(&out, &q->out, &hit_out);
	rc = store_search_each(q->st, text, q->opt.limit, print_hit, &out,
	    &err);
	out_stream_close(&out);
	if (rc < 0) {
		cmd_error(q->cmd, "%s", err ? err : "failed");
		rc = rc == -1 ? EXIT_USAGE : EXIT_RUNTIME;
	} else
		rc = EXIT_OK;
	free(err);
	free(text);
	return rc;
}

static int
print_story_row(struct story_row *r, void *arg)
{
	out_stream_row(arg, r, 0);
	return 0;
}

static int
alerts_test(struct query *q)
{
	struct match_expr *e;
	struct out_stream out;
	char *err = NULL;
	int rc;

	if ((e = match_compile(q->opt.test, &err)) == NULL) {
		cmd_error(q->cmd, "%s", err ? err : "invalid expression");
		free(err);
		return EXIT_USAGE;
	}
	out_stream_open(&out, &q->out, &story_out);
	rc = store_match_test_each(q->st, e, q->opt.limit, print_story_row,
	    &out);
	out_stream_close(&out);
	match_free(e);
	return rc == -1 ? query_fail(q) : EXIT_OK;
}

/* The alert log's JSON fields, and the story. */
static const struct out_field alert_fields[] = {
	OUT_TIME_FIELD("time", struct alert_row, fired_at),
	OUT_FIELD("rule", struct alert_row, rule),
	OUT_FIELD("title", struct alert_row, title),
	OUT_FIELD("link", struct alert_row, link),
	OUT_FIELD("feed", struct alert_row, feed),
	OUT_TIME_FIELD("published", struct alert_row, published),
	OUT_FIELD("story", struct alert_row, story_id),
};

static cJSON *
alert_json(const void *rows, size_t i)
{
	return out_json_fields(cJSON_CreateObject(),
	    (const struct alert_row *)rows + i, alert_fields,
	    OUT_NFIELDS(alert_fields));
}

static void
alert_cells(struct table *t, const struct out *o, const void *rows, size_t i)
{
	const struct alert_row *a = (const struct alert_row *)rows + i;
	char age[32];

	table_cell(t, out_age(o, a->fired_at, age, sizeof(age)), C_DIM);
	table_cell(t, a->rule, C_YELLOW);
	table_cell(t, a->feed, C_NONE);
	table_cell(t, a->title, C_BOLD);
	table_cell(t, a->link, C_NONE);
}

/* The alert log's line. */
static void
alert_line(const void *rows, size_t i)
{
	char *line = alert_format_line((const struct alert_row *)rows + i,
	    ALERT_FORMAT_TEXT);

	fputs(line, stdout);
	free(line);
}

static const char *const alert_headers[] = {
	"FIRED", "RULE", "FEED", "TITLE", "LINK",
};

static const struct table_cols alert_cols = TABLE_COLS(alert_headers, 0x1C,
    0);

static const struct out_rows alert_out = {
	&alert_cols, alert_json, alert_cells, alert_line,
};

/*
 * A --rule that found nothing and that the configuration does not have:
 * a typo looked like "no alert yet".  Said on standard error; the exit
 * status stays 0, since a rule removed from the config may have alerts.
 */
static void
note_unknown_rule(const struct query *q)
{
	struct buf names;

	for (size_t i = 0; i < q->cfg->nrules; i++)
		if (strcmp(q->cfg->rules[i].def.name, q->opt.rule) == 0)
			return;
	buf_init(&names, 0);
	for (size_t i = 0; i < q->cfg->nrules; i++)
		buf_printf(&names, "%s%s", i ? ", " : "",
		    q->cfg->rules[i].def.name);
	cmd_error(q->cmd, "no alerts of rule '%s', which the configuration "
	    "does not have (its rules: %s)", q->opt.rule,
	    names.len ? buf_str(&names) : "none");
	buf_cleanup(&names);
}

/*
 * The configured rule a --rule names: its own name, else the one the
 * text log wrote for it ("feed all" logged as feed_all, which --rule
 * then said the configuration lacks).
 */
static const char *
rule_named(const struct config *cfg, const char *given)
{
	const char *found = given;

	for (size_t i = 0; i < cfg->nrules; i++)
		if (strcmp(cfg->rules[i].def.name, given) == 0)
			return given;
	for (size_t i = 0; i < cfg->nrules && found == given; i++) {
		char *word = alert_rule_word(cfg->rules[i].def.name);

		if (strcmp(word, given) == 0)
			found = cfg->rules[i].def.name;
		free(word);
	}
	return found;
}

int
cmd_alerts(struct query *q)
{
	struct alert_row *rows;
	size_t n;

	if (q->opt.test)
		return alerts_test(q);
	if (q->opt.rule != NULL)
		q->opt.rule = rule_named(q->cfg, q->opt.rule);
	if (store_alerts_list(q->st, q->opt.rule, q->opt.limit, &rows,
	    &n) == -1)
		return query_fail(q);
	if (n == 0 && q->opt.rule != NULL)
		note_unknown_rule(q);
	out_print_rows(&q->out, &alert_out, rows, n);
	alert_rows_free(rows, n);
	return EXIT_OK;
}

