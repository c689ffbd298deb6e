/*
 * fuzz_render: libFuzzer entry for the outputs.  The input is parsed as
 * a feed; its items, as story rows, go through entries_prepare and both
 * aggregated writers, and the document goes through `feedd parse`'s
 * JSON.  Whatever a feed holds, feed.xml must be namespace-well-formed
 * XML with unique entry ids, and feed.json and the parse JSON must be
 * JSON a strict parser reads.  A failed check aborts: a finding.
 */
#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/atom_out.h"
#include "feeds/entry.h"
#include "feeds/json_out.h"
#include "feeds/jsonfeed_out.h"
#include "feeds/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct atom_meta fuzz_meta = {
	"tag:feedd,2026:fuzz", "fuzz", "http://127.0.0.1:8787/feed.xml",
	NULL, 0
};

static void
row_of(struct story_row *r, const struct feed_doc *doc,
    const struct feed_item *it, int64_t i)
{
	memset(r, 0, sizeof(*r));
	r->story_id = i + 1;
	r->item_id = i + 1;
	r->entry_id = it->id;
	r->title = it->title;
	r->link = it->link;
	r->author = it->author;
	r->summary = it->summary;
	r->content = it->content;
	r->categories = it->categories;
	r->ncategories = it->ncategories;
	r->enclosures = it->enclosures;
	r->nenclosures = it->nenclosures;
	r->published = it->published;
	r->updated = it->updated;
	r->first_seen = 1795000000;
	r->sort_time = r->first_seen - i;
	r->feed_name = (char *)"fuzz";
	r->feed_title = doc->title;
	r->feed_link = doc->link;
	r->feed_url = (char *)"http://fuzz.example/feed/";
	r->feed_doc_id = doc->id;
	r->feed_author = doc->author;
	r->feed_language = doc->language;
	r->feed_updated = doc->updated;
	r->nsources = 1;
	r->nitems = 1;
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entry ids are what readers dedupe by: one each, never twice. */
static void
check_ids_unique(const struct entry *e, size_t n)
{
	char **ids = calloc(n + 1, sizeof(*ids));

	for (size_t i = 0; i < n; i++) {
		if (e[i].id == NULL || *e[i].id == '\0')
			abort();
		ids[i] = e[i].id;
	}
	qsort(ids, n, sizeof(*ids), by_string);
	for (size_t i = 1; i < n; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			abort();
	free(ids);
}

static void
check_xml(const char *s, size_t n)
{
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	xmlDocPtr doc;

	doc = xmlCtxtReadMemory(ctxt, s, (int)n, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed)
		abort();
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
}

static void
check_json(const char *s, size_t n)
{
	cJSON *j = cJSON_ParseWithLength(s, n);

	if (j == NULL)
		abort();
	cJSON_Delete(j);
}

/* out written by one of the writers into memory, then checked. */
static void
render_check(const struct entry *e, size_t ne, const struct feed_doc *doc,
    int which)
{
	struct jsonfeed_meta jm = { "fuzz", NULL, NULL };
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&out, &len);

	if (fp == NULL)
		abort();
	if (which == 0 && atom_write(fp, &fuzz_meta, e, ne) != 0)
		abort();
	if (which == 1 && jsonfeed_write(fp, &jm, e, ne) != 0)
		abort();
	if (which == 2 && json_write_doc(fp, doc, 0) != 0)
		abort();
	fclose(fp);
	if (which == 0)
		check_xml(out, len);
	else
		check_json(out, len);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parser *p;
	struct feed_doc *doc;
	struct story_row *rows;
	struct entry *e;
	size_t	 ne;
	char	*err = NULL;

	p = feed_parser_new("http://fuzz.example/feed/", NULL);
	if (feed_parser_push(p, (const char *)data, size, &err) != 0 ||
	    (doc = feed_parser_finish(p, &err)) == NULL) {
		free(err);
		feed_parser_free(p);
		return 0;
	}
	feed_parser_free(p);
	rows = calloc(doc->nitems + 1, sizeof(*rows));
	for (size_t i = 0; i < doc->nitems; i++)
		row_of(&rows[i], doc, &doc->items[i], (int64_t)i);
	e = entries_prepare(rows, doc->nitems, &ne);
	check_ids_unique(e, ne);
	for (int which = 0; which < 3; which++)
		render_check(e, ne, doc, which);
	entries_free(e, ne);
	free(rows);
	feed_doc_free(doc);
	return 0;
}
