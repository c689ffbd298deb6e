/*
 * test_alert_log: the alert log's line formats (from INTERFACE.md's
 * example), lines that titles cannot break, exactly-once across a
 * crash between write and mark, and logrotate (rename, copytruncate).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/alert.h"
#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/date.h"
#include "feeds/json_out.h"
#include <sqlite3.h>

#include "tests/helpers.h"

#define T_FIRED	1795749266	/* 2026-11-27T03:14:26Z */

static struct alert_row
sample_row(void)
{
	struct alert_row a = {
		.id = 1, .rule = "china-ai", .story_id = 1, .title = "Title",
		.link = "https://link", .feed = "Hacker News",
		.published = FEED_TIME_NONE, .fired_at = T_FIRED,
	};

	return a;
}

Test(alert_log, text_line_matches_interface_example)
{
	struct alert_row a = sample_row();
	char	*line;

	line = alert_format_line(&a, ALERT_FORMAT_TEXT);
	cr_expect_str_eq(line, "2026-11-27T03:14:26Z china-ai \"Title\" "
	    "<https://link> (Hacker News)\n");
	free(line);
	a.link = NULL;
	line = alert_format_line(&a, ALERT_FORMAT_TEXT);
	cr_expect_neq(strstr(line, " <> (Hacker News)\n"), NULL, "got %s", line);
	free(line);
}

Test(alert_log, json_line_has_every_field)
{
	struct alert_row a = sample_row();
	char	*line;

	a.published = T_FIRED - 60;
	line = alert_format_line(&a, ALERT_FORMAT_JSON);
	cr_expect_str_eq(line, "{\"time\":\"2026-11-27T03:14:26Z\","
	    "\"rule\":\"china-ai\",\"title\":\"Title\",\"link\":\"https://link\","
	    "\"feed\":\"Hacker News\",\"published\":\"2026-11-27T03:13:26Z\"}\n");
	free(line);
	a.published = FEED_TIME_NONE;
	a.link = NULL;
	line = alert_format_line(&a, ALERT_FORMAT_JSON);
	cr_expect_neq(strstr(line, "\"link\":null"), NULL, "got %s", line);
	cr_expect_neq(strstr(line, "\"published\":null}"), NULL, "got %s", line);
	free(line);
}

Test(alert_log, hostile_title_cannot_forge_a_line)
{
	struct alert_row a = sample_row();
	char	*line, *nl;
	int	 f;

	a.title = "evil\" <https://x> (Feed)\n2026-01-01T00:00:00Z other "
	    "\"forged\" <https://y> (Z)\r\x1b\xe2\x80\xa8\\";
	a.feed = "Feed\nname";
	a.link = "https://a b/<x>";
	for (f = 0; f < 2; f++) {
		line = alert_format_line(&a, (enum alert_format)f);
		nl = strchr(line, '\n');
		cr_assert_not_null(nl);
		cr_expect_eq(nl[1], '\0', "a second line: %s", line);
		cr_expect_eq(strchr(line, '\r'), NULL);
		cr_expect_eq(strstr(line, "\xe2\x80\xa8"), NULL);
		free(line);
	}
	line = alert_format_line(&a, ALERT_FORMAT_TEXT);
	/* the title's quote is escaped: the first unescaped quote closes it */
	cr_expect_neq(strstr(line, "\"evil\\\" <https://x>"), NULL, "got %s", line);
	cr_expect_neq(strstr(line, "<https://a%20b/%3Cx%3E> (Feed name)\n"), NULL,
	    "got %s", line);
	free(line);
}

/* A store holding one feed with n new items that alert on one rule. */
static struct store *
store_with_alerts(const char *dir, int n)
{
	struct config cfg = { 0 };
	struct feed_conf fc = { .def = { .name = "Hacker News" },
	    .url = "https://news.example/rss", .interval = 600 };
	struct rule_conf rule = { .def = { .name = "china-ai" },
	    .match = "China AND AI" };
	struct feed_row fr;
	struct feed_doc *doc;
	struct store_put_result res;
	struct store *st;
	char	*path, *err = NULL;
	int	 i, fired = 0;
	int64_t	 now = time(NULL);

	path = th_path(dir, "feedd.db");
	th_db_new(path);
	cr_assert_eq(store_open(path, STORE_READWRITE, &st, &err), 0, "%s", err);
	free(path);
	cfg.feeds = &fc;
	cfg.nfeeds = 1;
	cfg.interval = 600;
	cr_assert_eq(store_sync_feeds(st, &cfg), 0);
	cr_assert_eq(store_feed_get(st, "Hacker News", &fr), 0);
	doc = feed_doc_new();
	doc->title = xstrdup("Hacker News");
	for (i = 0; i < n; i++) {
		struct feed_item *it = feed_doc_add_item(doc);

		it->title = xasprintf("China AI story %d", i);
		it->link = xasprintf("https://news.example/item/%d", i);
		it->published = now - 60 - i;
	}
	cr_assert_eq(store_put_doc(st, fr.id, doc, now, &res, &err), 0, "%s", err);
	feed_doc_free(doc);
	feed_row_cleanup(&fr);
	rule.expr = match_compile(rule.match, &err);
	cr_assert_not_null(rule.expr, "%s", err);
	cr_assert_eq(store_alerts_match(st, &rule, 1, 48 * 3600, now, 0,
	    &fired), 0);
	match_free(rule.expr);
	cr_assert_eq(fired, n);
	return st;
}

static int
count_lines(const char *path)
{
	char	*s = th_read_file(path, NULL), *p;
	int	 n = 0;

	if (s == NULL)
		return 0;
	for (p = s; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	free(s);
	return n;
}

static size_t
npending(struct store *st)
{
	struct alert_row *rows;
	size_t	 n;

	cr_assert_eq(store_alerts_pending(st, 0, 0, &rows, &n), 0);
	alert_rows_free(rows, n);
	return n;
}

/*
 * What a run that crashed between writing and marking left: the lines
 * of the want pending alerts for which keep(i), appended to fp.
 */
static void
crashed_lines(struct store *st, size_t want, FILE *fp, int (*keep)(size_t))
{
	struct alert_row *rows;
	size_t	 n;

	cr_assert_eq(store_alerts_pending(st, 0, 0, &rows, &n), 0);
	cr_assert_eq(n, want);
	for (size_t i = 0; i < n; i++) {
		char *line = alert_format_line(&rows[i], ALERT_FORMAT_TEXT);

		if (keep(i))
			fputs(line, fp);
		free(line);
	}
	alert_rows_free(rows, n);
}

static int
first_two(size_t i)
{
	return i < 2;
}

static int
two_in_three(size_t i)
{
	return i % 3 != 1;
}

Test(alert_log, flush_writes_each_alert_once)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 3);
	struct alert_log *al;

	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_expect_eq(alert_log_flush(al, st, &err), 3);
	cr_expect_eq(alert_log_flush(al, st, &err), 0);
	cr_expect_eq(count_lines(log), 3);
	cr_expect_eq(npending(st), 0);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

Test(alert_log, crash_between_write_and_mark_is_not_written_twice)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 3);
	struct alert_log *al;
	FILE	*fp;

	/* the "crashed" run appended two lines but marked nothing */
	fp = fopen(log, "w");
	crashed_lines(st, 3, fp, first_two);
	fputs("2026-11-27T03:14:26Z china-ai \"half a li", fp);	/* cut */
	fclose(fp);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	{ int w = alert_log_flush(al, st, &err); char *t = th_read_file(log, NULL); cr_expect_eq(w, 1, "only the third is new: %d %s", w, t); free(t); }
	cr_expect_eq(npending(st), 0);
	cr_expect_eq(count_lines(log), 4, "2 old + the cut line ended + 1 new");
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

Test(alert_log, follows_logrotate_rename_and_copytruncate)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	char	*old = th_path(dir, "alerts.log.1");
	struct store *st = store_with_alerts(dir, 2);
	struct alert_log *al;
	struct stat sb;

	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(rename(log, old), 0);	/* logrotate's create mode */
	cr_expect_eq(alert_log_flush(al, st, &err), 2);
	cr_expect_eq(stat(log, &sb), 0, "no new file at the path");
	cr_expect_eq(count_lines(log), 2);
	cr_expect_eq(count_lines(old), 0);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(old);
	free(dir);
}

Test(alert_log, appends_at_start_after_copytruncate)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 2);
	struct alert_log *al;
	char	*text;
	size_t	 len;

	th_write_file(log, "old line\nold line\nold line\n", 27);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(truncate(log, 0), 0);
	cr_expect_eq(alert_log_flush(al, st, &err), 2);
	text = th_read_file(log, &len);
	cr_assert_not_null(text);
	cr_expect_eq(memchr(text, '\0', len), NULL, "a hole: appended past the old end");
	cr_expect_eq(count_lines(log), 2);
	free(text);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

/*
 * Under the unit's UMask=0027 a log feedd makes is 0644 (public
 * headlines, `tail -f` for everyone): the first one and the one made
 * anew after a rotation.  A log already there keeps its admin's mode.
 */
Test(alert_log, new_log_is_public_under_the_units_umask)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	char	*old = th_path(dir, "alerts.log.1");
	struct store *st = store_with_alerts(dir, 2);
	struct alert_log *al;
	struct stat sb;

	umask(027);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(stat(log, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "first log %o", sb.st_mode & 07777);
	cr_assert_eq(rename(log, old), 0);
	cr_expect_eq(alert_log_flush(al, st, &err), 2);
	cr_assert_eq(stat(log, &sb), 0, "no new file at the path");
	cr_expect_eq(sb.st_mode & 07777, 0644, "rotated log %o", sb.st_mode & 07777);
	cr_expect_eq(count_lines(log), 2);
	alert_log_close(al);
	/* the admin's own mode is kept */
	cr_assert_eq(chmod(log, 0600), 0);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(stat(log, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0600, "existing log %o", sb.st_mode & 07777);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(old);
	free(dir);
}

/*
 * A link to a log not made yet was refused ("No such file or
 * directory"), and a log in a folder not made yet too, where the
 * outputs' folders are made.
 */
Test(alert_log, a_dangling_link_and_a_missing_folder_are_made)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	char	*target = th_path(dir, "logs/alerts.log");
	char	*deep = th_path(dir, "new/deeper/alerts.log");
	struct store *st = store_with_alerts(dir, 2);
	struct alert_log *al;
	struct stat sb;

	char	*logs = th_path(dir, "logs");

	cr_assert_eq(mkdir(logs, 0755), 0);
	free(logs);
	cr_assert_eq(symlink("logs/alerts.log", log), 0);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_expect_eq(alert_log_flush(al, st, &err), 2);
	alert_log_close(al);
	cr_assert_eq(lstat(log, &sb), 0);
	cr_assert(S_ISLNK(sb.st_mode), "the link was replaced");
	cr_expect_eq(count_lines(target), 2);
	cr_assert_eq(stat(target, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0644, "%o", sb.st_mode & 07777);
	al = alert_log_open(deep, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	alert_log_close(al);
	cr_assert_eq(access(deep, F_OK), 0);
	store_close(st);
	th_rmdir(dir);
	free(deep);
	free(target);
	free(log);
	free(dir);
}

/*
 * The database lost (deleted, restored from an older copy): the next
 * one fires again, minutes later, the alerts of stories the log has.
 * Their lines differ only in their time; none is written again.
 */
Test(alert_log, a_lost_database_writes_no_line_the_log_has)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	char	*dir2 = th_tmpdir();
	struct store *st = store_with_alerts(dir, 3), *st2;
	struct alert_log *al;
	char	 d[DATE_RFC3339_LEN];
	FILE	*fp;

	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(alert_log_flush(al, st, &err), 3, "%s", err);
	alert_log_close(al);
	store_close(st);
	/* 3 MB of other lines after them: read back a megabyte at a time */
	fp = fopen(log, "a");
	for (int i = 0; i < 40000; i++)
		fprintf(fp, "%s other \"Filler story %d\" "
		    "<https://other.example/%d> (Other)\n",
		    date_format_rfc3339(time(NULL), d, sizeof(d)), i, i);
	fclose(fp);
	st2 = store_with_alerts(dir2, 4);	/* the same three, and one new */
	cr_assert_eq(sqlite3_exec(store_sqlite(st2), "UPDATE alerts SET"
	    " fired_at = fired_at + 600", NULL, NULL, NULL), SQLITE_OK);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_expect_eq(alert_log_flush(al, st2, &err), 1, "only the new one");
	cr_expect_eq(npending(st2), 0);
	cr_expect_eq(count_lines(log), 40004);
	alert_log_close(al);
	store_close(st2);
	th_rmdir(dir);
	th_rmdir(dir2);
	free(log);
	free(dir);
	free(dir2);
}

/*
 * Two stories of one title and link (a daily digest linking to the same
 * page) alert once each: the database knows it wrote the first line.
 */
Test(alert_log, a_second_story_of_the_same_line_alerts_again)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 1);
	struct alert_log *al;

	al = alert_log_open(log, ALERT_FORMAT_JSON, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(alert_log_flush(al, st, &err), 1, "%s", err);
	alert_log_close(al);
	cr_assert_eq(sqlite3_exec(store_sqlite(st), "INSERT INTO alerts (rule,"
	    " story_key, item_id, title, link, feed, published, fired_at,"
	    " written) SELECT rule, story_key || '-next', item_id, title, link,"
	    " feed, published, fired_at + 86400, 0 FROM alerts", NULL, NULL,
	    NULL), SQLITE_OK);
	al = alert_log_open(log, ALERT_FORMAT_JSON, &err);
	cr_assert_not_null(al, "%s", err);
	cr_expect_eq(alert_log_flush(al, st, &err), 1, "the next day's story");
	cr_expect_eq(count_lines(log), 2);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

/*
 * The log is checked for lines already there only after an open or a
 * failure.  Checked at every flush, a second story of the same title
 * and link fired in the same second (two feeds' copies kept apart)
 * found the first one's line and was never written.
 */
Test(alert_log, a_second_story_of_the_same_line_in_the_same_second_alerts)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 1);
	struct alert_log *al;

	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(alert_log_flush(al, st, &err), 1, "%s", err);
	cr_assert_eq(sqlite3_exec(store_sqlite(st), "INSERT INTO alerts (rule,"
	    " story_key, item_id, title, link, feed, published, fired_at,"
	    " written) SELECT rule, story_key || '-other', item_id, title,"
	    " link, feed, published, fired_at, 0 FROM alerts", NULL, NULL,
	    NULL), SQLITE_OK);
	cr_expect_eq(alert_log_flush(al, st, &err), 1, "the other story");
	cr_expect_eq(count_lines(log), 2);
	cr_expect_eq(npending(st), 0);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

/* After a crash with thousands of lines appended and none marked, each
 * line the log has is marked, each it lacks written, once. */
Test(alert_log, a_crash_after_thousands_of_lines_writes_only_the_rest)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 3000);
	struct alert_log *al;
	FILE	*fp;

	fp = fopen(log, "w");
	fputs("2026-11-27T03:14:26Z other \"an older line\"\n", fp);
	crashed_lines(st, 3000, fp, two_in_three);	/* two in three */
	fclose(fp);
	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_expect_eq(alert_log_flush(al, st, &err), 1000, "%s", err);
	cr_expect_eq(count_lines(log), 3001);
	cr_expect_eq(npending(st), 0);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}

/*
 * The pending alerts are read a page at a time (ALERT_PAGE, 1,024):
 * more than two pages come out whole, each once and in the order they
 * fired, and none is left pending.
 */
Test(alert_log, alerts_past_a_page_are_written_each_once_in_order)
{
	char	*dir = th_tmpdir(), *log = th_path(dir, "alerts.log"), *err = NULL;
	struct store *st = store_with_alerts(dir, 2500);
	struct alert_log *al;
	char	*text, *line, *save = NULL;
	int	 k = 0;

	al = alert_log_open(log, ALERT_FORMAT_TEXT, &err);
	cr_assert_not_null(al, "%s", err);
	cr_assert_eq(alert_log_flush(al, st, &err), 2500, "%s", err);
	cr_expect_eq(alert_log_flush(al, st, &err), 0);
	cr_expect_eq(npending(st), 0);
	text = th_read_file(log, NULL);
	cr_assert_not_null(text);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), k++) {
		char *want = xasprintf("\"China AI story %d\"", k);

		cr_assert_not_null(strstr(line, want), "line %d: %s", k, line);
		free(want);
	}
	cr_expect_eq(k, 2500);
	free(text);
	alert_log_close(al);
	store_close(st);
	th_rmdir(dir);
	free(log);
	free(dir);
}
