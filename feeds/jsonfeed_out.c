/*
 * jsonfeed_out: JSON Feed 1.1 from prepared entries.  Every string goes
 * through json_put_string; entries are already clean and deduplicated
 * (atom_entries_prepare), so ids and urls are unique.
 */
#include <stdlib.h>

#include "util/xmalloc.h"
#include "util/buf.h"
#include "feeds/date.h"
#include "feeds/html.h"
#include "feeds/json_out.h"
#include "feeds/jsonfeed_out.h"

#define JSONFEED_SUMMARY_MAX	2000

static void
put_key(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, ",\n      \"%s\": ", key);
	json_put_string(b, value);
}

static void
put_date(struct buf *b, const char *key, int64_t t)
{
	char	 d[DATE_RFC3339_LEN];

	put_key(b, key, date_format_rfc3339(t, d, sizeof(d)));
}

static void
put_summary(struct buf *b, const char *html)
{
	char	*text, *clean;

	text = html_to_text(html);
	clean = atom_clean_text(text, JSONFEED_SUMMARY_MAX, 1);
	if (clean != NULL && *clean != '\0')
		put_key(b, "summary", clean);
	free(text);
	free(clean);
}

static void
put_item(struct buf *b, const struct atom_entry *e)
{
	size_t	 i;

	buf_puts(b, "    {\n      \"id\": ");
	json_put_string(b, e->id);
	if (e->link != NULL)
		put_key(b, "url", e->link);
	put_key(b, "title", e->title);
	put_key(b, "content_html", e->content != NULL ? e->content :
	    e->summary != NULL ? e->summary : "");
	if (e->summary != NULL)
		put_summary(b, e->summary);
	if (e->published != FEED_TIME_NONE)
		put_date(b, "date_published", e->published);
	put_date(b, "date_modified", e->updated);
	if (e->author != NULL) {
		buf_puts(b, ",\n      \"authors\": [{\"name\": ");
		json_put_string(b, e->author);
		buf_puts(b, "}]");
	}
	if (e->ncategories > 0) {
		buf_puts(b, ",\n      \"tags\": [");
		for (i = 0; i < e->ncategories; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			json_put_string(b, e->categories[i]);
		}
		buf_puts(b, "]");
	}
	if (e->src_title != NULL)
		put_key(b, "_feedd_source", e->src_title);
	buf_puts(b, "\n    }");
}

int
jsonfeed_write(FILE *fp, const struct jsonfeed_meta *meta,
    const struct atom_entry *e, size_t n)
{
	struct buf b;
	char	*title;
	size_t	 i;

	buf_init(&b, 0);
	buf_puts(&b, "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n"
	    "  \"title\": ");
	title = atom_clean_text(meta->title, ATOM_TITLE_MAX, 1);
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
	for (i = 0; i < n; i++) {
		buf_puts(&b, i > 0 ? ",\n" : "\n");
		put_item(&b, &e[i]);
		fwrite(b.data, 1, b.len, fp);
		buf_reset(&b);
	}
	buf_puts(&b, n > 0 ? "\n  ]\n}\n" : "]\n}\n");
	fwrite(b.data, 1, b.len, fp);
	buf_cleanup(&b);
	if (fflush(fp) != 0 || ferror(fp))
		return -1;
	return 0;
}
