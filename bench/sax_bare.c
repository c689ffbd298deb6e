/*
 * sax_bare: the floor for bench/parse.sh.  Pushes each file named on the
 * command line through a libxml2 SAX2 push parser in 64 KB chunks, with
 * callbacks that do nothing, so only libxml2's own tokenizing is timed.
 * Prints the number of elements seen, so the work cannot be elided.
 */
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>

#define CHUNK	(64 * 1024)

static void
on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	(void)local; (void)prefix; (void)uri; (void)nns; (void)ns;
	(void)nattrs; (void)ndefaulted; (void)attrs;
	++*(unsigned long *)ctx;
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	(void)ctx; (void)local; (void)prefix; (void)uri;
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx; (void)ch; (void)len;
}

static void
on_error(void *ctx, xmlErrorPtr err)
{
	(void)ctx; (void)err;
}

static int
push_file(const char *path, xmlSAXHandler *sax, unsigned long *count)
{
	static char chunk[CHUNK];
	xmlParserCtxtPtr ctxt;
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	ctxt = xmlCreatePushParserCtxt(sax, count, NULL, 0, path);
	xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		xmlParseChunk(ctxt, chunk, (int)n, 0);
	xmlParseChunk(ctxt, NULL, 0, 1);
	if (ctxt->myDoc != NULL)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
	fclose(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	xmlSAXHandler sax = {
		.initialized = XML_SAX2_MAGIC, .startElementNs = on_start,
		.endElementNs = on_end, .characters = on_text,
		.cdataBlock = on_text, .serror = on_error,
	};
	unsigned long count = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (push_file(argv[i], &sax, &count) == -1)
			rc = 1;
	printf("%lu elements\n", count);
	return rc;
}
