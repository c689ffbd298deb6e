/*
 * test_metrics: the Prometheus text exposition: every metric with HELP
 * and TYPE, cumulative histogram buckets, escaped label values, and
 * updates from another thread while rendering.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics.h"
#include "util/utf8.h"
#include "util/buf.h"

static char *
render(struct metrics *m)
{
	struct buf b;

	buf_init(&b, 0);
	cr_assert_eq(metrics_render(m, &b), 0);
	return buf_detach(&b);
}

Test(metrics, every_metric_has_help_and_type)
{
	struct metrics *m = metrics_new();
	char	*t = render(m);
	const char *names[] = { "feedd_fetches_total", "feedd_items_stored_total",
	    "feedd_alerts_total", "feedd_fetch_duration_seconds", "feedd_feeds",
	    "feedd_last_cycle_timestamp_seconds", "feedd_database_damaged",
	    "feedd_build_info" };
	char	 want[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(want, sizeof(want), "# HELP %s ", names[i]);
		cr_expect_neq(strstr(t, want), NULL, "%s", want);
		snprintf(want, sizeof(want), "# TYPE %s ", names[i]);
		cr_expect_neq(strstr(t, want), NULL, "%s", want);
	}
	cr_expect_neq(strstr(t, "feedd_build_info{version=\"" FEEDD_VERSION "\"} 1\n"),
	    NULL);
	cr_expect_neq(strstr(t, "\nfeedd_database_damaged 0\n"), NULL);
	free(t);
	metrics_database_damaged(m, 1);
	t = render(m);
	cr_expect_neq(strstr(t, "\nfeedd_database_damaged 1\n"), NULL);
	free(t);
	metrics_free(m);
}

Test(metrics, counts_and_histogram)
{
	struct metrics *m = metrics_new();
	char	*t;

	metrics_fetch_done(m, FETCH_OUTCOME_OK, 0.01);
	metrics_fetch_done(m, FETCH_OUTCOME_OK, 0.3);
	metrics_fetch_done(m, FETCH_OUTCOME_NETWORK_ERROR, 100);
	metrics_items_stored(m, 7);
	metrics_feed_states(m, 3, 1, 2);
	metrics_cycle_done(m, 1795749266);
	t = render(m);
	cr_expect_neq(strstr(t, "feedd_fetches_total{outcome=\"ok\"} 2\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetches_total{outcome=\"network_error\"} 1\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetches_total{outcome=\"parse_error\"} 0\n"), NULL);
	/* cumulative: 0.01 in le=0.05; 0.3 in le=0.5; 100 only in +Inf */
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_bucket{le=\"0.05\"} 1\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_bucket{le=\"0.5\"} 2\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_bucket{le=\"30\"} 2\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_bucket{le=\"+Inf\"} 3\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_count 3\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_fetch_duration_seconds_sum 100.310000\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_items_stored_total 7\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_feeds{state=\"gone\"} 2\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_last_cycle_timestamp_seconds 1795749266\n"), NULL);
	free(t);
	metrics_free(m);
}

Test(metrics, rule_labels_escaped)
{
	struct metrics *m = metrics_new();
	char	*t;

	metrics_alert_fired(m, "a\"b\\c\nd");
	metrics_alert_fired(m, "a\"b\\c\nd");
	metrics_alert_fired(m, "plain");
	t = render(m);
	cr_expect_neq(strstr(t, "feedd_alerts_total{rule=\"a\\\"b\\\\c\\nd\"} 2\n"),
	    NULL, "%s", t);
	cr_expect_neq(strstr(t, "feedd_alerts_total{rule=\"plain\"} 1\n"), NULL);
	free(t);
	metrics_free(m);
}

/* A rule named in a Latin-1 config: the text format is UTF-8, and one
 * bad byte made promtool (and Prometheus) refuse the whole scrape. */
Test(metrics, rule_labels_are_utf8)
{
	struct metrics *m = metrics_new();
	char	*t;

	metrics_alert_fired(m, "caf\xe9 \xc3\xa9t\xc3");
	t = render(m);
	cr_expect_neq(strstr(t, "feedd_alerts_total{rule=\"caf\xef\xbf\xbd "
	    "\xc3\xa9t\xef\xbf\xbd\"} 1\n"), NULL, "%s", t);
	cr_expect(utf8_valid(t, strlen(t)));
	free(t);
	metrics_free(m);
}

static void *
hammer(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		metrics_fetch_done(arg, FETCH_OUTCOME_OK, 0.1);
		metrics_alert_fired(arg, i % 2 ? "x" : "y");
	}
	return NULL;
}

Test(metrics, updates_from_another_thread)
{
	struct metrics *m = metrics_new();
	pthread_t th;
	char	*t;

	pthread_create(&th, NULL, hammer, m);
	for (int i = 0; i < 200; i++)
		free(render(m));
	pthread_join(th, NULL);
	t = render(m);
	cr_expect_neq(strstr(t, "feedd_fetches_total{outcome=\"ok\"} 20000\n"), NULL);
	cr_expect_neq(strstr(t, "feedd_alerts_total{rule=\"x\"} 10000\n"), NULL);
	free(t);
	metrics_free(m);
}
