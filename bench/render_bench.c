/*
 * render_bench: figures for the outputs (not a test).  Rendering time
 * of output_render for a store of N stories; alert matching cost with
 * R rules over M stored items; and the trigram index's cost against the
 * word index (size and build time).  Usage: render_bench N M R DIR
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/output.h"
#include "util/xmalloc.h"
#include "storage/store.h"

static const char *words[] = {
	"China", "AI", "DeepSeek", "Qwen", "open", "source", "weights", "model",
	"release", "GPU", "Nvidia", "chip", "export", "rules", "startup",
	"funding", "Rust", "Linux", "kernel", "security", "breach", "patch",
	"browser", "Google", "Apple", "Microsoft", "OpenAI", "Anthropic",
	"Meta", "benchmark", "reasoning", "agents", "robotics", "battery",
	"solar", "climate", "policy", "Europe", "regulation", "privacy",
	"database", "SQLite", "Postgres", "compiler", "GCC", "LLVM", "WebAssembly",
	"quantum", "computing", "satellite", "launch", "SpaceX", "rocket",
	"election", "court", "ruling", "lawsuit", "copyright", "music", "video",
	"games", "console", "smartphone", "Android", "iPhone", "Samsung",
	"TSMC", "Taiwan", "Japan", "India", "memory", "storage", "cloud",
	"outage", "network", "5G", "fiber", "email", "spam", "encryption",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Most of a real headline or summary is not a keyword. */
static const char *filler[] = {
	"the", "a", "of", "to", "and", "in", "for", "on", "with", "new", "says",
	"after", "over", "how", "why", "its", "first", "more", "than", "year",
	"report", "plans", "users", "company", "team", "data", "price", "week",
	"faster", "smaller", "bigger", "issue", "update", "version", "show",
	"review", "guide", "study", "finds", "could", "will", "may", "still",
	"again", "now", "big", "small", "public", "private", "early", "late",
	"market", "sales", "growth", "tool", "project", "system", "service",
	"hardware", "software", "paper", "research", "lab", "engineers",
};
#define NFILLER (sizeof(filler) / sizeof(filler[0]))

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
sentence(unsigned *seed, int n)
{
	char	 b[1024] = "";

	for (int i = 0; i < n; i++) {
		unsigned x = (unsigned)rand_r(seed);

		strcat(b, x % 10 < 2 ? words[(x / 10) % NWORDS] :
		    filler[(x / 10) % NFILLER]);
		strcat(b, i + 1 < n ? " " : "");
	}
	return xstrdup(b);
}

/* Stores m items of one feed, 100 per document. */
static double
fill(struct store *st, int64_t feed_id, int m, int first)
{
	unsigned seed = 42 + (unsigned)first;
	int64_t	 now = time(NULL);
	double	 t0 = now_s();
	char	*err = NULL;

	for (int done = 0; done < m; ) {
		struct feed_doc *doc = feed_doc_new();
		struct store_put_result res;

		doc->title = xstrdup("Bench feed");
		for (int k = 0; k < 100 && done < m; k++, done++) {
			struct feed_item *it = feed_doc_add_item(doc);
			char *body = sentence(&seed, 40);

			it->title = sentence(&seed, 8);
			it->link = xasprintf("https://bench.example/%d", first + done);
			it->summary = xasprintf("<p>%s</p>", body);
			it->published = now - 3600 + done % 3000;
			free(body);
		}
		if (store_put_doc(st, feed_id, doc, now, &res, &err) == -1) {
			fprintf(stderr, "put: %s\n", err);
			exit(1);
		}
		feed_doc_free(doc);
	}
	return now_s() - t0;
}

static struct rule_conf *
make_rules(int r)
{
	struct rule_conf *rules = xcalloc((size_t)r, sizeof(*rules));
	unsigned seed = 7;
	char	*err = NULL;

	for (int i = 0; i < r; i++) {
		const char *a = words[rand_r(&seed) % NWORDS];
		const char *b = words[rand_r(&seed) % NWORDS];
		const char *c = words[rand_r(&seed) % NWORDS];

		rules[i].name = xasprintf("rule-%d", i);
		switch (i % 4) {
		case 0: rules[i].match = xasprintf("%s AND %s AND %s", a, b, c); break;
		case 1: rules[i].match = xasprintf("\"%s %s\"", a, b); break;
		case 2: rules[i].match = xasprintf("%s AND (%s OR %s) NOT %s", a, b, c, a[0] == 'A' ? "x" : "AI"); break;
		default: rules[i].match = xasprintf("%.3s* AND %s", a, b); break;
		}
		if ((rules[i].expr = match_compile(rules[i].match, &err)) == NULL) {
			fprintf(stderr, "rule %s: %s\n", rules[i].match, err);
			exit(1);
		}
	}
	return rules;
}

static double
time_sql(sqlite3 *db, const char *sql)
{
	double	 t0 = now_s();
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, err);
		sqlite3_free(err);
	}
	return now_s() - t0;
}

static long long
file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/*
 * Index costs.  items_tri holds only items with text written without
 * spaces, so its size here is what English news costs (next to nothing);
 * the rebuild times say what trigram-indexing every item would cost.
 */
static void
index_costs(struct store *st, const char *dir)
{
	sqlite3	*db = store_sqlite(st);
	char	*copy = xasprintf("%s/notri.db", dir), *sql;
	double	 tw, tt;

	tt = time_sql(db, "CREATE VIRTUAL TABLE b_tri USING fts5(text,"
	    " tokenize='trigram'); INSERT INTO b_tri (rowid, text)"
	    " SELECT rowid, title || ' ' || body FROM items_fts;"
	    " DROP TABLE b_tri;");
	tw = time_sql(db, "CREATE VIRTUAL TABLE b_word USING fts5(text,"
	    " tokenize='unicode61 remove_diacritics 2');"
	    " INSERT INTO b_word (rowid, text)"
	    " SELECT rowid, title || ' ' || body FROM items_fts;"
	    " DROP TABLE b_word;");
	printf("index build over every item's text: word (unicode61) %.2f s,"
	    " trigram %.2f s\n",
	    tw, tt);
	sql = xasprintf("VACUUM INTO '%s'", copy);
	time_sql(db, sql);
	free(sql);
	{
		char *with = xasprintf("%s/with.db", dir);
		sqlite3 *c;

		sql = xasprintf("VACUUM INTO '%s'", with);
		time_sql(db, sql);
		free(sql);
		sqlite3_open(copy, &c);
		time_sql(c, "DROP TABLE items_tri; VACUUM;");
		sqlite3_close(c);
		printf("database size: %.1f MB with items_tri, %.1f MB without"
		    " (trigram index %.1f MB)\n", file_size(with) / 1e6,
		    file_size(copy) / 1e6, (file_size(with) - file_size(copy)) / 1e6);
		free(with);
	}
	free(copy);
}

int
main(int argc, char **argv)
{
	int	 n = argc > 1 ? atoi(argv[1]) : 1000;
	int	 m = argc > 2 ? atoi(argv[2]) : 100000;
	int	 r = argc > 3 ? atoi(argv[3]) : 100;
	const char *dir = argc > 4 ? argv[4] : "/tmp";
	struct config cfg = { 0 };
	struct feed_conf fc = { .name = "bench", .url = "https://bench.example/rss",
	    .interval = 600 };
	struct feed_row fr;
	struct store *st;
	struct output *out = output_new();
	char	*err = NULL, *db = xasprintf("%s/bench.db", dir);
	double	 t0, t;
	int	 fired = 0;

	cfg.feeds = &fc, cfg.nfeeds = 1, cfg.interval = 600;
	cfg.title = "bench", cfg.max_entries = n;
	cfg.atom_path = xasprintf("%s/feed.xml", dir);
	cfg.json_path = xasprintf("%s/feed.json", dir);
	if (store_open(db, STORE_READWRITE, &st, &err) == -1 ||
	    store_sync_feeds(st, &cfg) == -1 ||
	    store_feed_get(st, "bench", &fr) != 0) {
		fprintf(stderr, "store: %s\n", err ? err : store_errmsg(st));
		return 1;
	}
	t = fill(st, fr.id, n, 0);
	printf("stored %d items in %.2f s\n", n, t);
	t0 = now_s();
	for (int i = 0; i < 5; i++)
		if (output_render(out, st, &cfg, 1, &err) == -1) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
	t = (now_s() - t0) / 5;
	printf("output_render, %d entries (Atom + JSON Feed): %.1f ms per render"
	    " (%.1f us per entry); feed.xml %.0f KB\n", n, t * 1e3, t * 1e6 / n,
	    file_size(cfg.atom_path) / 1e3);
	if (m > n) {
		struct rule_conf *rules = make_rules(r);

		t = fill(st, fr.id, m - n, n);
		printf("stored %d more items in %.2f s (%.0f us per item,"
		    " both indexes)\n", m - n, t, t * 1e6 / (m - n));
		t0 = now_s();
		if (store_alerts_match(st, rules, (size_t)r, 48 * 3600,
		    time(NULL), &fired) == -1) {
			fprintf(stderr, "match: %s\n", store_errmsg(st));
			return 1;
		}
		t = now_s() - t0;
		printf("alert matching, %d rules over %d new items: %.2f s"
		    " (%.1f us per item, %.2f us per item-rule), %d alerts\n",
		    r, m, t, t * 1e6 / m, t * 1e6 / m / r, fired);
		index_costs(st, dir);
	}
	feed_row_cleanup(&fr);
	output_free(out);
	store_close(st);
	return 0;
}
