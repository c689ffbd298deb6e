/*
 * jsonfeed_out: JSON Feed 1.1 from prepared entries.  Every string goes
 * through json_put_string; entries are already clean (entries_prepare)
 * and their ids unique; an entry whose link a newer one has gives it as
 * external_url, so urls are unique too.
 */
#include <stdlib.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "feeds/date.h"
#include "feeds/json_out.h"
#include "feeds/jsonfeed_out.h"

static void
put_key(struct buf *b, const char *key, const char *value)
{
	buf_puts(b, ",\n      \"");
	buf_puts(b, key);
	buf_puts(b, "\": ");
	json_put_string(b, value);
}

static void
put_date(struct buf *b, const char *key, int64_t t)
{
	char	 d[DATE_RFC3339_LEN];

	put_key(b, key, date_format_rfc3339(t, d, sizeof(d)));
}

/* JSON Feed wants a type on every attachment. */
static const char *
attachment_type(const struct feed_enclosure *x)
{
	return x->type != NULL ? x->type : "application/octet-stream";
}

static void
put_attachments(struct buf *b, const struct entry *e)
{
	buf_puts(b, ",\n      \"attachments\": [");
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct feed_enclosure *x = &e->enclosures[i];

		buf_puts(b, i > 0 ? ", {\"url\": " : "{\"url\": ");
		json_put_string(b, x->url);
		buf_puts(b, ", \"mime_type\": ");
		json_put_string(b, attachment_type(x));
		if (x->length >= 0)
			buf_printf(b, ", \"size_in_bytes\": %lld",
			    (long long)x->length);
		buf_puts(b, "}");
	}
	buf_puts(b, "]");
}

/* {"KEY": name, "url": url}; no "url" when url is NULL. */
static void
put_named(struct buf *b, const char *key, const char *name, const char *url)
{
	buf_puts(b, "{\"");
	buf_puts(b, key);
	buf_puts(b, "\": ");
	json_put_string(b, name);
	if (url != NULL) {
		buf_puts(b, ", \"url\": ");
		json_put_string(b, url);
	}
	buf_puts(b, "}");
}

static void
put_author(struct buf *b, const struct entry *e)
{
	char	*mailto = e->author_email != NULL ?
	    xasprintf("mailto:%s", e->author_email) : NULL;

	buf_puts(b, ",\n      \"authors\": [");
	put_named(b, "name", e->author, mailto);
	buf_puts(b, "]");
	free(mailto);
}

/*
 * The story's sources in the "_feedd" extension object (JSON Feed 1.1
 * leaves keys starting with "_" to extensions): the entry's own first,
 * then every other outlet's page with its feed's name.
 */
static void
put_sources(struct buf *b, const struct entry *e)
{
	buf_puts(b, ",\n      \"_feedd\": {\"sources\": [");
	put_named(b, "feed", e->src_title, e->link);
	for (size_t i = 0; i < e->nrelated; i++) {
		buf_puts(b, ", ");
		put_named(b, "feed", e->related[i].title, e->related[i].href);
	}
	buf_puts(b, "]}");
}

static void
put_item(struct buf *b, const struct entry *e)
{
	size_t	 i;

	buf_puts(b, "    {\n      \"id\": ");
	json_put_string(b, e->id);
	if (e->link != NULL)
		put_key(b, e->link_shared ? "external_url" : "url", e->link);
	put_key(b, "title", e->title);
	if (e->content != NULL || e->summary != NULL)
		put_key(b, "content_html", e->content != NULL ? e->content :
		    e->summary);
	else
		put_key(b, "content_text", e->title);
	if (e->summary_text != NULL)
		put_key(b, "summary", e->summary_text);
	if (e->published != FEED_TIME_NONE)
		put_date(b, "date_published", e->published);
	put_date(b, "date_modified", e->updated);
	if (e->author != NULL)
		put_author(b, e);
	if (e->lang != NULL)
		put_key(b, "language", e->lang);
	if (e->ncategories > 0) {
		buf_puts(b, ",\n      \"tags\": [");
		for (i = 0; i < e->ncategories; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			json_put_string(b, e->categories[i]);
		}
		buf_puts(b, "]");
	}
	if (e->nenclosures > 0)
		put_attachments(b, e);
	if (e->src_title != NULL)
		put_key(b, "_feedd_source", e->src_title);
	if (e->nrelated > 0)
		put_sources(b, e);
	buf_puts(b, "\n    }");
}

void
jsonfeed_write_head(FILE *fp, const struct jsonfeed_meta *meta)
{
	struct buf b;
	char	*title;

	buf_init(&b, 0);
	buf_puts(&b, "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n"
	    "  \"title\": ");
	title = entry_clean_text(meta->title, ENTRY_TITLE_MAX, 1);
	json_put_string(&b, title != NULL && *title != '\0' ? title : "feedd");
	free(title);
	if (meta->home_page_url != NULL) {
		buf_puts(&b, ",\n  \"home_page_url\": ");
		json_put_string(&b, meta->home_page_url);
	}
	if (meta->feed_url != NULL) {
		buf_puts(&b, ",\n  \"feed_url\": ");
		json_put_string(&b, meta->feed_url);
	}
	buf_puts(&b, ",\n  \"items\": [");
	fwrite(b.data, 1, b.len, fp);
	buf_cleanup(&b);
}

void
jsonfeed_put_item(struct buf *b, const struct entry *e, size_t i)
{
	buf_puts(b, i > 0 ? ",\n" : "\n");
	put_item(b, e);
}

void
jsonfeed_write_tail(FILE *fp, size_t n)
{
	fputs(n > 0 ? "\n  ]\n}\n" : "]\n}\n", fp);
}

int
jsonfeed_write(FILE *fp, const struct jsonfeed_meta *meta,
    const struct entry *e, size_t n)
{
	struct buf b;

	jsonfeed_write_head(fp, meta);
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		jsonfeed_put_item(&b, &e[i], i);
		fwrite(b.data, 1, b.len, fp);
		buf_reset(&b);
	}
	buf_cleanup(&b);
	jsonfeed_write_tail(fp, n);
	return fs_flush(fp);
}
