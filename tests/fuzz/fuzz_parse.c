/*
 * fuzz_parse: libFuzzer entry for the feed parser.  The input is pushed
 * in three chunks (split points taken from its first two bytes), as the
 * fetcher would deliver it, then the document is freed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "feeds/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_parser *p;
	struct feed_doc *doc;
	size_t a, b;
	int latin1;
	char *err = NULL;

	if (size < 2)
		return 0;
	/* the two header bytes choose the split points and the charset */
	latin1 = data[0] & 0x80;
	a = (data[0] & 0x7f) * (size - 2) / 128;
	b = a + data[1] * (size - 2 - a) / 256;
	data += 2;
	size -= 2;
	p = feed_parser_new("http://fuzz.example/feed/", latin1 ?
	    "iso-8859-1" : NULL);
	if (feed_parser_push(p, (const char *)data, a, &err) == 0 &&
	    feed_parser_push(p, (const char *)data + a, b - a, &err) == 0 &&
	    feed_parser_push(p, (const char *)data + b, size - b, &err) == 0) {
		doc = feed_parser_finish(p, &err);
		feed_doc_free(doc);
	}
	free(err);
	feed_parser_free(p);
	return 0;
}
