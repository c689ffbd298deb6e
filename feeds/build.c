/*
 * build: RSS and Atom elements into the document model.  One table maps
 * (namespace, element) to an element id; one table maps each id to the
 * field it gives, at item and at feed level, with a rank: when several
 * elements give one field, the lowest rank wins whatever their order.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "feeds/build.h"
#include "feeds/date.h"
#include "feeds/html.h"
#include "feeds/textfix.h"
#include "feeds/url.h"

enum ns_class {
	NSC_OTHER, NSC_RSS, NSC_RDF, NSC_ATOM, NSC_CONTENT, NSC_DC,
	NSC_MEDIA, NSC_ITUNES, NSC_XHTML,
};

enum elem {
	EL_UNKNOWN,
	EL_RSS, EL_RDF, EL_CHANNEL, EL_ITEM, EL_FEED, EL_ENTRY, EL_AUTHOR,
	EL_CATEGORIES,
	EL_MGROUP,
	EL_TITLE, EL_LINK, EL_DESCRIPTION, EL_GUID, EL_PUBDATE, EL_LASTBUILD,
	EL_LANGUAGE, EL_TTL, EL_RSSAUTHOR, EL_EDITOR, EL_CATEGORY, EL_ENCLOSURE,
	EL_A_TITLE, EL_A_SUBTITLE, EL_A_LINK, EL_A_ID, EL_A_UPDATED,
	EL_A_PUBLISHED, EL_A_SUMMARY, EL_A_CONTENT, EL_A_CATEGORY,
	EL_A_NAME, EL_A_EMAIL, EL_A_ISSUED, EL_A_MODIFIED, EL_A_CREATED,
	EL_CONTENT_ENCODED, EL_DC_CREATOR, EL_DC_DATE, EL_DC_SUBJECT,
	EL_DC_TITLE, EL_DC_DESCRIPTION, EL_DC_LANGUAGE, EL_DC_IDENTIFIER,
	EL_DC_MODIFIED, EL_DC_ISSUED,
	EL_DC_CREATED, EL_DC_AUTHOR,
	EL_M_CONTENT, EL_M_DESCRIPTION, EL_M_TITLE, EL_M_CATEGORY,
	EL_M_KEYWORDS, EL_I_AUTHOR, EL_I_SUMMARY,
	EL_I_SUBTITLE, EL_I_CATEGORY, EL_I_KEYWORDS, EL_X_BODY,
};

enum field {
	F_NONE, F_TITLE, F_LINK, F_ID, F_AUTHOR, F_SUMMARY, F_CONTENT,
	F_PUBLISHED, F_UPDATED, F_DESCRIPTION, F_LANGUAGE, F_TTL, F_COUNT,
};

enum kind {
	K_NONE,
	K_TEXT,		/* plain text, trimmed */
	K_TITLE,	/* plain text; markup turned to text */
	K_HTML,		/* markup kept (Atom type decides escaping) */
	K_DATE,
	K_URL,		/* text resolved against xml:base */
	K_GUID,		/* id; a permalink may stand in for a missing link */
	K_ID,		/* id, resolved like a link (Atom id) */
	K_CATEGORY,	/* text, one more category */
	K_KEYWORDS,	/* text, categories separated by commas */
	K_ENCLOSURE,	/* attributes: RSS enclosure */
	K_ALINK,	/* attributes: Atom link, by rel */
	K_ACATEGORY,	/* attributes: Atom category term */
	K_MEDIA,	/* attributes: media:content, enclosure of last resort */
	K_ICATEGORY,	/* attributes: itunes:category text (nested too) */
};

#define RANK_UNSET 255

/*
 * Where each element's content goes.  Item and feed level differ (an RSS
 * item's description is its summary, a channel's is the description).
 * Ranks, lowest wins:
 *   title	title, atom:title 0; dc:title 1; media:title 2
 *   link	link 0; atom:link rel=alternate (or no rel) 1; a permalink
 *		guid only when none of these exists
 *   id		guid, atom:id, rdf:about 0; dc:identifier 1
 *   author	atom author/name 0; dc:creator, dc:author 1; author 2;
 *		atom author/email 3; itunes:author 4
 *   feed author  atom author/name 0; dc:creator 1; managingEditor 2;
 *		atom author/email 3; itunes:author 4 (doc->author, for items
 *		that name none)
 *   summary	description, atom:summary 0; dc:description 1;
 *		itunes:summary 2; itunes:subtitle 3; media:description 4
 *   content	content:encoded, atom:content 0; xhtml:body 1
 *   published	pubDate, atom:published, issued 0; dc:date, created 1;
 *		dcterms:issued, dcterms:created 2
 *   updated	atom:updated, modified 0; dcterms:modified 1
 *   feed updated  lastBuildDate, atom:updated, modified 0; dc:date 1;
 *		pubDate 2
 *   feed description  description, subtitle, tagline 0; dc:description 1;
 *		itunes:summary 2; itunes:subtitle 3
 * RSS says an item's description is its summary and content:encoded its
 * full text; Atom says the same of summary and content; xhtml:body is
 * full text too.  So summary and content are kept apart, each from its
 * own elements, and a reader picks.  Within a rank the later element
 * wins (as in feedparser): a repeated element replaces the earlier one.
 * Enclosures: RSS enclosure and Atom link rel=enclosure; media:content
 * only when the item has neither (Media RSS: media:content "can be used
 * to publish any type of media").  media:thumbnail is a picture of the
 * item, not media it carries: never an enclosure.  Categories accumulate: category, dc:subject, atom:category
 * (term), media:category, itunes:category (text, nested ones too), and
 * itunes:keywords and media:keywords split at commas.
 */
struct fieldmap {
	uint8_t	 ifield, irank;		/* in an item or entry */
	uint8_t	 ffield, frank;		/* at channel or feed level */
	uint8_t	 kind;
};

static const struct fieldmap fieldmap[] = {
	[EL_TITLE] = { F_TITLE, 0, F_TITLE, 0, K_TITLE },
	[EL_LINK] = { F_LINK, 0, F_LINK, 0, K_URL },
	[EL_DESCRIPTION] = { F_SUMMARY, 0, F_DESCRIPTION, 0, K_HTML },
	[EL_GUID] = { F_ID, 0, F_NONE, 0, K_GUID },
	[EL_PUBDATE] = { F_PUBLISHED, 0, F_UPDATED, 2, K_DATE },
	[EL_LASTBUILD] = { F_NONE, 0, F_UPDATED, 0, K_DATE },
	[EL_LANGUAGE] = { F_NONE, 0, F_LANGUAGE, 0, K_TEXT },
	[EL_TTL] = { F_NONE, 0, F_TTL, 0, K_TEXT },
	[EL_RSSAUTHOR] = { F_AUTHOR, 2, F_NONE, 0, K_TEXT },
	[EL_EDITOR] = { F_NONE, 0, F_AUTHOR, 2, K_TEXT },
	[EL_CATEGORY] = { F_NONE, 0, F_NONE, 0, K_CATEGORY },
	[EL_ENCLOSURE] = { F_NONE, 0, F_NONE, 0, K_ENCLOSURE },
	[EL_A_TITLE] = { F_TITLE, 0, F_TITLE, 0, K_TITLE },
	[EL_A_SUBTITLE] = { F_NONE, 0, F_DESCRIPTION, 0, K_HTML },
	[EL_A_LINK] = { F_LINK, 1, F_LINK, 1, K_ALINK },
	[EL_A_ID] = { F_ID, 0, F_ID, 0, K_ID },
	[EL_A_UPDATED] = { F_UPDATED, 0, F_UPDATED, 0, K_DATE },
	[EL_A_MODIFIED] = { F_UPDATED, 0, F_UPDATED, 0, K_DATE },
	[EL_A_PUBLISHED] = { F_PUBLISHED, 0, F_NONE, 0, K_DATE },
	[EL_A_ISSUED] = { F_PUBLISHED, 0, F_NONE, 0, K_DATE },
	[EL_A_CREATED] = { F_PUBLISHED, 1, F_NONE, 0, K_DATE },
	[EL_A_SUMMARY] = { F_SUMMARY, 0, F_NONE, 0, K_HTML },
	[EL_A_CONTENT] = { F_CONTENT, 0, F_NONE, 0, K_HTML },
	[EL_A_CATEGORY] = { F_NONE, 0, F_NONE, 0, K_ACATEGORY },
	[EL_A_NAME] = { F_AUTHOR, 0, F_AUTHOR, 0, K_TEXT },
	[EL_A_EMAIL] = { F_AUTHOR, 3, F_AUTHOR, 3, K_TEXT },
	[EL_CONTENT_ENCODED] = { F_CONTENT, 0, F_NONE, 0, K_HTML },
	[EL_DC_CREATOR] = { F_AUTHOR, 1, F_AUTHOR, 1, K_TEXT },
	[EL_DC_DATE] = { F_PUBLISHED, 1, F_UPDATED, 1, K_DATE },
	[EL_DC_SUBJECT] = { F_NONE, 0, F_NONE, 0, K_CATEGORY },
	[EL_DC_TITLE] = { F_TITLE, 1, F_TITLE, 1, K_TITLE },
	[EL_DC_DESCRIPTION] = { F_SUMMARY, 1, F_DESCRIPTION, 1, K_HTML },
	[EL_DC_LANGUAGE] = { F_NONE, 0, F_LANGUAGE, 1, K_TEXT },
	[EL_DC_IDENTIFIER] = { F_ID, 1, F_NONE, 0, K_TEXT },
	[EL_DC_MODIFIED] = { F_UPDATED, 1, F_NONE, 0, K_DATE },
	[EL_DC_ISSUED] = { F_PUBLISHED, 2, F_NONE, 0, K_DATE },
	[EL_M_CONTENT] = { F_NONE, 0, F_NONE, 0, K_MEDIA },
	[EL_DC_CREATED] = { F_PUBLISHED, 2, F_NONE, 0, K_DATE },
	[EL_DC_AUTHOR] = { F_AUTHOR, 1, F_AUTHOR, 1, K_TEXT },
	[EL_M_DESCRIPTION] = { F_SUMMARY, 4, F_NONE, 0, K_HTML },
	[EL_M_TITLE] = { F_TITLE, 2, F_NONE, 0, K_TITLE },
	[EL_M_CATEGORY] = { F_NONE, 0, F_NONE, 0, K_CATEGORY },
	[EL_M_KEYWORDS] = { F_NONE, 0, F_NONE, 0, K_KEYWORDS },
	[EL_I_AUTHOR] = { F_AUTHOR, 4, F_AUTHOR, 4, K_TEXT },
	[EL_I_SUMMARY] = { F_SUMMARY, 2, F_DESCRIPTION, 2, K_HTML },
	[EL_I_SUBTITLE] = { F_SUMMARY, 3, F_DESCRIPTION, 3, K_HTML },
	[EL_I_CATEGORY] = { F_NONE, 0, F_NONE, 0, K_ICATEGORY },
	[EL_I_KEYWORDS] = { F_NONE, 0, F_NONE, 0, K_KEYWORDS },
	[EL_X_BODY] = { F_CONTENT, 1, F_NONE, 0, K_HTML },
};

#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS090 ".netscape.com/rdf/simple/0.9/"

static const struct {
	const char *uri;
	enum ns_class cls;
} namespaces[] = {
	{ "http://purl.org/rss/1.0/", NSC_RSS },
	{ "http://my.netscape.com/rdf/simple/0.9/", NSC_RSS },
	{ "http://channel.netscape.com/rdf/simple/0.9/", NSC_RSS },
	{ "http://backend.userland.com/rss2", NSC_RSS },
	{ "http://backend.userland.com/rss", NSC_RSS },
	{ "http://blogs.law.harvard.edu/tech/rss", NSC_RSS },
	{ XML_NS_RDF, NSC_RDF },
	{ XML_NS_ATOM, NSC_ATOM },
	{ NS_ATOM03, NSC_ATOM },
	{ "http://example.com/newformat#", NSC_ATOM },	/* Atom 0.1, 0.2 */
	{ XML_NS_CONTENT, NSC_CONTENT },
	{ XML_NS_DC, NSC_DC },
	{ XML_NS_DCTERMS, NSC_DC },
	{ XML_NS_MEDIA, NSC_MEDIA },
	{ "http://search.yahoo.com/mrss", NSC_MEDIA },
	{ "http://www.rssboard.org/media-rss", NSC_MEDIA },
	{ XML_NS_ITUNES, NSC_ITUNES },
	{ XML_NS_XHTML, NSC_XHTML },
};

static const struct {
	enum ns_class cls;
	const char *name;
	enum elem id;
} elements[] = {
	{ NSC_RSS, "rss", EL_RSS }, { NSC_RSS, "channel", EL_CHANNEL },
	{ NSC_RSS, "item", EL_ITEM }, { NSC_RSS, "title", EL_TITLE },
	{ NSC_RSS, "link", EL_LINK }, { NSC_RSS, "description", EL_DESCRIPTION },
	{ NSC_RSS, "guid", EL_GUID }, { NSC_RSS, "pubDate", EL_PUBDATE },
	{ NSC_RSS, "lastBuildDate", EL_LASTBUILD },
	{ NSC_RSS, "language", EL_LANGUAGE }, { NSC_RSS, "ttl", EL_TTL },
	{ NSC_RSS, "author", EL_RSSAUTHOR },
	{ NSC_RSS, "managingEditor", EL_EDITOR },
	{ NSC_RSS, "category", EL_CATEGORY },
	{ NSC_RSS, "categories", EL_CATEGORIES },
	/* no-namespace <modified> (WordPress-made feeds): as dcterms: */
	{ NSC_RSS, "modified", EL_DC_MODIFIED },
	{ NSC_RSS, "enclosure", EL_ENCLOSURE },
	{ NSC_RDF, "RDF", EL_RDF },
	{ NSC_ATOM, "feed", EL_FEED }, { NSC_ATOM, "entry", EL_ENTRY },
	{ NSC_ATOM, "author", EL_AUTHOR }, { NSC_ATOM, "title", EL_A_TITLE },
	{ NSC_ATOM, "subtitle", EL_A_SUBTITLE },
	{ NSC_ATOM, "tagline", EL_A_SUBTITLE },
	{ NSC_ATOM, "link", EL_A_LINK }, { NSC_ATOM, "id", EL_A_ID },
	{ NSC_ATOM, "updated", EL_A_UPDATED },
	{ NSC_ATOM, "modified", EL_A_MODIFIED },
	{ NSC_ATOM, "published", EL_A_PUBLISHED },
	{ NSC_ATOM, "issued", EL_A_ISSUED },
	{ NSC_ATOM, "created", EL_A_CREATED },
	{ NSC_ATOM, "summary", EL_A_SUMMARY },
	{ NSC_ATOM, "content", EL_A_CONTENT },
	{ NSC_ATOM, "category", EL_A_CATEGORY },
	{ NSC_ATOM, "name", EL_A_NAME }, { NSC_ATOM, "email", EL_A_EMAIL },
	{ NSC_CONTENT, "encoded", EL_CONTENT_ENCODED },
	{ NSC_DC, "creator", EL_DC_CREATOR }, { NSC_DC, "date", EL_DC_DATE },
	{ NSC_DC, "subject", EL_DC_SUBJECT }, { NSC_DC, "title", EL_DC_TITLE },
	{ NSC_DC, "description", EL_DC_DESCRIPTION },
	{ NSC_DC, "language", EL_DC_LANGUAGE },
	{ NSC_DC, "identifier", EL_DC_IDENTIFIER },
	{ NSC_DC, "modified", EL_DC_MODIFIED },
	{ NSC_DC, "issued", EL_DC_ISSUED },
	{ NSC_DC, "created", EL_DC_CREATED },
	{ NSC_DC, "author", EL_DC_AUTHOR },
	{ NSC_MEDIA, "content", EL_M_CONTENT },
	{ NSC_MEDIA, "description", EL_M_DESCRIPTION },
	{ NSC_MEDIA, "title", EL_M_TITLE }, { NSC_MEDIA, "group", EL_MGROUP },
	{ NSC_MEDIA, "category", EL_M_CATEGORY },
	{ NSC_MEDIA, "keywords", EL_M_KEYWORDS },
	{ NSC_ITUNES, "author", EL_I_AUTHOR },
	{ NSC_ITUNES, "summary", EL_I_SUMMARY },
	{ NSC_ITUNES, "subtitle", EL_I_SUBTITLE },
	{ NSC_ITUNES, "category", EL_I_CATEGORY },
	{ NSC_ITUNES, "keywords", EL_I_KEYWORDS },
	{ NSC_XHTML, "body", EL_X_BODY },
};

/* What the children of an open element are. */
enum ctx {
	CTX_NONE,	/* ignored */
	CTX_RSS,	/* <rss>: channel (items, leniently) */
	CTX_RDF,	/* <rdf:RDF>: channel and items */
	CTX_FEED,	/* channel or Atom feed: feed fields and items */
	CTX_ITEM,	/* item or entry: item fields */
	CTX_AUTHOR,	/* Atom author of an entry */
	CTX_FAUTHOR,	/* Atom author of the feed */
	CTX_GROUP,	/* media:group of an item */
	CTX_ICAT,	/* itunes:category of an item (may nest) */
	CTX_CATS,	/* <categories> wrapper some feeds put in items */
};

#define FL_PERMALINK	0x1	/* guid usable as a link */
#define FL_MARKUP	0x2	/* title text is HTML */
#define FL_BASE64	0x4	/* Atom 0.3 mode="base64" */
#define FL_NOTERM	0x8	/* atom:category without term or label */
#define FL_GUESS	0x10	/* title plain by its format, maybe HTML */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 text (whitespace ignored) decoded; NULL when not base64. */
static char *
base64_decode(const char *s)
{
	struct buf b;
	unsigned int acc = 0;
	int bits = 0;

	buf_init(&b, 0);
	for (; *s != '\0' && *s != '='; s++) {
		const char *p;

		if (isspace((unsigned char)*s))
			continue;
		if ((p = strchr(b64_alphabet, *s)) == NULL) {
			buf_cleanup(&b);
			return NULL;
		}
		acc = (acc << 6) | (unsigned int)(p - b64_alphabet);
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(&b, (char)((acc >> bits) & 0xFF));
		}
	}
	if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
		buf_cleanup(&b);	/* binary, not text */
		return NULL;
	}
	return buf_detach(&b);
}

struct bframe {
	uint8_t	 ctx;
	uint8_t	 field, rank, kind, item, flags;
};

struct media {
	char	*url, *type;
	int64_t	 length;
};

struct builder {
	struct feed_doc	*doc;
	struct bframe	 stack[XML_MAX_DEPTH + 2];
	int		 root_seen;
	int		 bare_atom;	/* <feed> without a namespace */
	int		 rdf_channel;	/* RDF root had an RSS channel or item */
	char		*refusal;
	struct feed_item *item;		/* open item, or NULL */
	int		 item_depth;	/* depth of its element */
	uint8_t		 irank[F_COUNT], frank[F_COUNT];
	int		 item_has_enclosure;
	struct media	*media;
	size_t		 nmedia;
	char		*permalink;	/* guid usable as link */
	char		*content_src;	/* Atom content's src, the same */
	int		 items_dropped;
	unsigned	 flags;		/* FEED_PARSE_* */
	struct {
		const char *local, *uri;
		uint8_t	 id;
	} cache[128];
	struct {
		const char *uri;
		uint8_t	 cls;
	} nscache[8];
	unsigned int	 nsnext;
};

static enum ns_class
ns_classify(const char *uri, int bare_atom)
{
	if (uri == NULL)
		return bare_atom ? NSC_ATOM : NSC_RSS;
	/* case aside: podcasts write ".../DTDs/Podcast-1.0.dtd" */
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(*namespaces); i++)
		if (strcasecmp(uri, namespaces[i].uri) == 0)
			return namespaces[i].cls;
	/* Real feeds vary the case ("http://www.itunes.com/DTDs/..."). */
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(*namespaces); i++)
		if (strcasecmp(uri, namespaces[i].uri) == 0)
			return namespaces[i].cls;
	/* Atom's drafts: "http://purl.org/atom/ns#draft-ietf-..." */
	if (strncmp(uri, NS_ATOM03, strlen(NS_ATOM03)) == 0)
		return NSC_ATOM;
	return NSC_OTHER;
}

/* The class of a namespace URI; libxml2 interns URIs, so a few pointers
 * remembered spare the table walk (a document uses a handful). */
static enum ns_class
ns_lookup(struct builder *b, const char *uri)
{
	size_t n = sizeof(b->nscache) / sizeof(*b->nscache), slot;

	if (uri == NULL)
		return b->bare_atom ? NSC_ATOM : NSC_RSS;
	for (size_t i = 0; i < n; i++)
		if (b->nscache[i].uri == uri)
			return b->nscache[i].cls;
	slot = b->nsnext++ % n;
	b->nscache[slot].uri = uri;
	b->nscache[slot].cls = (uint8_t)ns_classify(uri, 0);
	return b->nscache[slot].cls;
}

/* libxml2 interns names and namespace URIs in its dictionary, so a
 * small cache keyed by their addresses skips the table search. */
static enum elem
elem_lookup(struct builder *b, const struct xml_elem *e)
{
	size_t h = (((uintptr_t)e->local >> 3) ^ ((uintptr_t)e->uri >> 5)) &
	    (sizeof(b->cache) / sizeof(*b->cache) - 1);
	enum ns_class cls;
	enum elem id = EL_UNKNOWN;

	if (b->cache[h].local == e->local && b->cache[h].uri == e->uri)
		return b->cache[h].id;
	if ((cls = ns_lookup(b, e->uri)) != NSC_OTHER)
		for (size_t i = 0; i < sizeof(elements) / sizeof(*elements);
		    i++)
			if (elements[i].cls == cls &&
			    strcmp(elements[i].name, e->local) == 0) {
				id = elements[i].id;
				break;
			}
	b->cache[h].local = e->local;
	b->cache[h].uri = e->uri;
	b->cache[h].id = (uint8_t)id;
	return id;
}

struct builder *
builder_new(struct feed_doc *doc)
{
	struct builder *b = xcalloc(1, sizeof(*b));

	b->doc = doc;
	memset(b->frank, RANK_UNSET, sizeof(b->frank));
	return b;
}

void
builder_set_flags(struct builder *b, unsigned flags)
{
	b->flags = flags;
}

static void
media_clear(struct builder *b)
{
	for (size_t i = 0; i < b->nmedia; i++) {
		free(b->media[i].url);
		free(b->media[i].type);
	}
	free(b->media);
	b->media = NULL;
	b->nmedia = 0;
}

void
builder_free(struct builder *b)
{
	if (b == NULL)
		return;
	media_clear(b);
	free(b->permalink);
	free(b->content_src);
	free(b->refusal);
	free(b);
}

const char *
builder_refusal(const struct builder *b)
{
	return b->refusal;
}

/* An RSS 1.0 item's rdf:about is its URI (RSS 1.0 section 5.5). */
static void
item_about(struct builder *b, const struct xml_elem *e)
{
	char *about = e->nattrs ? xml_elem_attr(e, XML_NS_RDF, "about") : NULL;

	if (about != NULL && *about) {
		b->item->id = url_resolve(e->base, about);
		b->irank[F_ID] = 0;
	}
	free(about);
}

static void
item_open(struct builder *b, struct bframe *f, const struct xml_elem *e)
{
	if (b->item != NULL)
		return;
	if (b->doc->nitems >= BUILD_MAX_ITEMS) {
		b->items_dropped++;
		return;
	}
	b->item = feed_doc_add_item(b->doc);
	b->item_depth = (int)(f - b->stack);
	memset(b->irank, RANK_UNSET, sizeof(b->irank));
	b->item_has_enclosure = 0;
	f->ctx = CTX_ITEM;
	item_about(b, e);
}

static int
has_enclosure(const struct feed_item *it, const char *url)
{
	for (size_t i = 0; i < it->nenclosures; i++)
		if (strcmp(it->enclosures[i].url, url) == 0)
			return 1;
	return 0;
}

static void
item_close(struct builder *b)
{
	struct feed_item *it = b->item;

	if (it == NULL)
		return;
	if (it->link == NULL && b->permalink != NULL) {
		it->link = b->permalink;
		b->permalink = NULL;
	}
	/* RFC 4287 4.1.1: an entry with out-of-line content may have no
	 * alternate link; its content's src is where the story is */
	if (it->link == NULL && b->content_src != NULL) {
		it->link = b->content_src;
		b->content_src = NULL;
	}
	for (size_t i = 0; i < b->nmedia && !b->item_has_enclosure; i++) {
		if (has_enclosure(it, b->media[i].url))
			continue;
		feed_item_add_enclosure(it, b->media[i].url, b->media[i].type,
		    b->media[i].length);
		b->media[i].url = b->media[i].type = NULL;
	}

	media_clear(b);
	free(b->permalink);
	b->permalink = NULL;
	free(b->content_src);
	b->content_src = NULL;
	b->item = NULL;
	b->item_depth = 0;
}

static enum feed_format
rss_version(const char *v)
{
	if (v == NULL)
		return FEED_FORMAT_RSS20;
	if (strcmp(v, "0.90") == 0 || strcmp(v, "0.9") == 0)
		return FEED_FORMAT_RSS090;
	if (strcmp(v, "0.91") == 0)
		return FEED_FORMAT_RSS091;
	/* 0.93 differs from 0.92 only in drafts; 0.94 became 2.0. */
	if (strcmp(v, "0.92") == 0 || strcmp(v, "0.93") == 0)
		return FEED_FORMAT_RSS092;
	return FEED_FORMAT_RSS20;
}

/*
 * A language tag in BCP 47's form, in place: "en_us" -> "en-US",
 * "zh_hant_tw" -> "zh-Hant-TW" (RFC 5646 2.1.1 case conventions).
 */
static void
lang_normalize(char *s)
{
	size_t start = 0;

	for (size_t i = 0;; i++) {
		if (s[i] == '_')
			s[i] = '-';
		if (s[i] != '-' && s[i] != '\0')
			continue;
		for (size_t k = start; k < i; k++) {
			int first = k == start;
			size_t len = i - start;

			if (start > 0 && (len == 2 || (len == 4 && first)))
				s[k] = (char)toupper((unsigned char)s[k]);
			else
				s[k] = (char)tolower((unsigned char)s[k]);
		}
		if (s[i] == '\0')
			break;
		start = i + 1;
	}
}

static int
root_start(struct builder *b, const struct xml_elem *e, enum elem id)
{
	struct bframe *f = &b->stack[1];
	char *v;

	b->root_seen = 1;
	if (id == EL_UNKNOWN && e->uri == NULL && strcmp(e->local, "feed") == 0) {
		id = EL_FEED;		/* Atom without its namespace */
		b->bare_atom = 1;
	}
	switch (id) {
	case EL_RSS:
		v = xml_elem_attr(e, NULL, "version");
		b->doc->format = rss_version(v);
		free(v);
		f->ctx = CTX_RSS;
		return 0;
	case EL_RDF:
		f->ctx = CTX_RDF;
		return 0;
	case EL_FEED:
	case EL_ENTRY:
		v = xml_elem_attr(e, NULL, "version");
		/* Atom 1.0 has its namespace; older ones (drafts 0.1-0.3)
		 * theirs, or none and a version */
		b->doc->format = (e->uri && strcasecmp(e->uri, XML_NS_ATOM)) ||
		    (e->uri == NULL && v && strcmp(v, "1.0") != 0) ?
		    FEED_FORMAT_ATOM03 : FEED_FORMAT_ATOM10;
		free(v);
		if (id == EL_ENTRY) {
			item_open(b, f, e);
			return 0;
		}
		f->ctx = CTX_FEED;
		if ((v = xml_elem_attr(e, XML_NS_XML, "lang")) != NULL && *v) {
			lang_normalize(v);
			b->doc->language = v;
			b->frank[F_LANGUAGE] = 1;
		} else
			free(v);
		return 0;
	default:
		b->refusal = xasprintf("not a feed: root element <%.40s>",
		    e->local);
		return -1;
	}
}

static int64_t
parse_length(const char *s)
{
	char *end;
	long long v;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	/* past 2^63 - 1 is no size any file has: unknown, not clamped */
	return *end == '\0' && v >= 0 && errno != ERANGE ? (int64_t)v : -1;
}

/* A URL attribute resolved against the element's base; NULL if absent
 * or blank. */
static char *
url_attr(const struct xml_elem *e, const char *name)
{
	char *v = xml_elem_attr(e, NULL, name), *s, *url;
	size_t n;

	if (v == NULL)
		return NULL;
	for (s = v; isspace((unsigned char)*s); s++)
		;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	url = *s ? url_resolve(e->base, s) : NULL;
	free(v);
	return url;
}

static void
enclosure_add(struct builder *b, const struct xml_elem *e, const char *urlattr,
    const char *lenattr)
{
	char *url = url_attr(e, urlattr), *len;

	if (url == NULL)
		return;
	len = xml_elem_attr(e, NULL, lenattr);
	feed_item_add_enclosure(b->item, url, xml_elem_attr(e, NULL, "type"),
	    parse_length(len));
	free(len);
	b->item_has_enclosure = 1;
}

static void
atom_link(struct builder *b, const struct xml_elem *e, int item, uint8_t rank)
{
	static const char iana[] = "http://www.iana.org/assignments/relation/";
	char *rel = xml_elem_attr(e, NULL, "rel"), *url, *r;
	char **slot = item ? &b->item->link : &b->doc->link;
	uint8_t *ranks = item ? b->irank : b->frank;

	/* RFC 4287 4.2.7.2: no rel is "alternate"; an IANA IRI is its name.
	 * Only alternate is the link: never related, via, self, enclosure. */
	r = rel;
	if (r != NULL) {
		while (isspace((unsigned char)*r))
			r++;
		if (strncasecmp(r, iana, sizeof(iana) - 1) == 0)
			r += sizeof(iana) - 1;
		r[strcspn(r, " \t\r\n")] = '\0';
	}
	if (r == NULL || *r == '\0' || strcasecmp(r, "alternate") == 0) {
		if (rank <= ranks[F_LINK] && (url = url_attr(e, "href"))) {
			free(*slot);
			*slot = url;
			ranks[F_LINK] = rank;
		}
	} else if (item && strcasecmp(r, "enclosure") == 0)
		enclosure_add(b, e, "href", "length");
	free(rel);
}

static void
media_add(struct builder *b, const struct xml_elem *e)
{
	char *url = url_attr(e, "url"), *len;
	struct media *m;

	if (url == NULL || b->nmedia >= FEED_MAX_ENCLOSURES) {
		free(url);
		return;
	}
	b->media = xreallocarray(b->media, b->nmedia + 1, sizeof(*b->media));
	m = &b->media[b->nmedia++];
	m->url = url;
	m->type = xml_elem_attr(e, NULL, "type");
	len = xml_elem_attr(e, NULL, "fileSize");
	m->length = parse_length(len);
	free(len);
}

static void
category_add(struct builder *b, char *term)
{
	char *fixed = term ? textfix(term, strlen(term)) : NULL;

	if (term && *term)
		feed_item_add_category(b->item, fixed ? fixed : term);
	free(fixed);
	free(term);
}

/* Elements whose meaning is in their attributes. */
static void
attr_element(struct builder *b, const struct xml_elem *e, struct bframe *f,
    enum kind kind, int item, uint8_t rank)
{
	char *term;

	if (kind == K_ALINK) {
		atom_link(b, e, item, rank);
		return;
	}
	if (!item)
		return;
	if (kind == K_ENCLOSURE)
		enclosure_add(b, e, "url", "length");
	else if (kind == K_MEDIA) {
		media_add(b, e);
		f->ctx = CTX_GROUP;	/* its title, description, ... */
	}
	else if (kind == K_ICATEGORY) {
		category_add(b, xml_elem_attr(e, NULL, "text"));
		f->ctx = CTX_ICAT;
	} else if (kind == K_ACATEGORY) {
		if ((term = xml_elem_attr(e, NULL, "term")) == NULL || !*term) {
			free(term);
			term = xml_elem_attr(e, NULL, "label");
		}
		if (term == NULL || !*term)
			f->flags |= FL_NOTERM;	/* <category>text</category> */
		category_add(b, term);
	}
}

/*
 * How an element's markup is kept.  RSS text is taken as given (HTML,
 * entity-escaped or in CDATA).  Atom says it with type (0.3: type and
 * mode): html is kept; xhtml is serialized back, less its wrapping div;
 * text is HTML-escaped, so that summary and content are always HTML
 * whatever the source format; other media types are dropped.
 */
/*
 * An Atom type attribute as compared: media types are case-insensitive
 * and may carry parameters (RFC 4287 4.1.3.1, 4.1.3.3): "Text/HTML;
 * charset=utf-8" is "text/html".  In place; type may be NULL.
 */
static char *
type_fold(char *type)
{
	char *p, *end;

	if (type == NULL)
		return NULL;
	if ((p = strchr(type, ';')) != NULL)
		*p = '\0';
	for (p = type; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (p = type; *p == ' ' || *p == '\t'; p++)
		;
	memmove(type, p, strlen(p) + 1);
	for (end = type + strlen(type); end > type && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		end[-1] = '\0';
	return type;
}

static int
is_html_type(const char *type)
{
	return type != NULL && (strcmp(type, "html") == 0 ||
	    strcmp(type, "text/html") == 0);
}

static int
text_mode(struct builder *b, const struct xml_elem *e, struct bframe *f)
{
	char *type, *mode, *src;
	int flags = XML_CAPTURE_TEXT;

	if (ns_lookup(b, e->uri) != NSC_ATOM) {
		if (f->kind == K_TITLE)
			f->flags |= FL_GUESS;	/* checked at the end */
		return flags;
	}
	type = type_fold(xml_elem_attr(e, NULL, "type"));
	mode = type_fold(xml_elem_attr(e, NULL, "mode"));
	src = xml_elem_attr(e, NULL, "src");
	if (src) {
		flags = 0;
		if (f->kind == K_HTML && b->item != NULL &&
		    b->content_src == NULL)
			b->content_src = url_resolve(e->base, src);
	}
	else if (mode && strcmp(mode, "base64") == 0) {
		/* Atom 0.3: decoded at the end, then read as its type says */
		f->flags |= FL_BASE64;
		if (is_html_type(type) ||
		    (type && strcmp(type, "application/xhtml+xml") == 0))
			f->flags |= FL_MARKUP;
		else if (type && strncmp(type, "text/", 5) != 0 &&
		    strcmp(type, "text") != 0)
			flags = 0;
	} else if (is_html_type(type) || (mode && strcmp(mode, "escaped") ==
	    0 && (type == NULL || strcmp(type, "text/plain") != 0)))
		f->flags |= FL_MARKUP;
	else if (type && (strcmp(type, "xhtml") == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0)) {
		flags |= XML_CAPTURE_ESCAPE | XML_CAPTURE_SKIPDIV;
		f->flags |= FL_MARKUP;
	} else if (type == NULL || strcmp(type, "text") == 0 ||
	    strncmp(type, "text/", 5) == 0) {
		if (f->kind == K_HTML)
			flags |= XML_CAPTURE_ESCAPE;
	} else
		flags = 0;
	free(type);
	free(mode);
	free(src);
	return flags;
}

static int
field_start(struct builder *b, const struct xml_elem *e, struct bframe *f,
    enum elem id, int item)
{
	const struct fieldmap *m = &fieldmap[id];
	uint8_t field = item ? m->ifield : m->ffield;
	uint8_t rank = item ? m->irank : m->frank;
	uint8_t *ranks = item ? b->irank : b->frank;
	char *perma;

	if (id == EL_UNKNOWN || (item && b->item == NULL))
		return 0;
	if (m->kind >= K_ENCLOSURE) {
		attr_element(b, e, f, m->kind, item, rank);
		if (!(f->flags & FL_NOTERM) || !item)
			return 0;
		f->item = 1;	/* Atom category without term: take its text */
		f->kind = K_CATEGORY;
		return XML_CAPTURE_TEXT;
	}
	f->item = (uint8_t)item;
	f->kind = m->kind;
	if (m->kind == K_CATEGORY || m->kind == K_KEYWORDS)
		return item ? XML_CAPTURE_TEXT : 0;
	/* the later of equal rank wins */
	if (field == F_NONE || rank > ranks[field])
		return 0;
	f->field = field;
	f->rank = rank;
	if (m->kind == K_GUID) {
		perma = xml_elem_attr(e, NULL, "isPermaLink");
		if (perma == NULL || strcasecmp(perma, "true") == 0)
			f->flags |= FL_PERMALINK;
		free(perma);
	}
	if (m->kind == K_HTML || m->kind == K_TITLE)
		return text_mode(b, e, f);
	if (field == F_AUTHOR)
		return XML_CAPTURE_TEXT | XML_CAPTURE_PERSON;
	return XML_CAPTURE_TEXT;
}

int
builder_start(struct builder *b, const struct xml_elem *e)
{
	enum elem id = elem_lookup(b, e);
	struct bframe *f = &b->stack[e->depth];
	struct bframe *parent = &b->stack[e->depth - 1];

	memset(f, 0, sizeof(*f));
	if (e->depth == 1)
		return root_start(b, e, id);
	/*
	 * Damaged documents leave elements open (an unclosed <category>
	 * holds every later item) or nest the next item in the last one:
	 * an item anywhere opens one, unless it is an item's own child.
	 */
	if ((id == EL_ITEM || id == EL_ENTRY) && (b->item == NULL ||
	    e->depth > b->item_depth + 1)) {
		item_close(b);
		item_open(b, f, e);
		return 0;
	}
	switch (parent->ctx) {
	case CTX_RSS:
	case CTX_RDF:
		if (parent->ctx == CTX_RDF && (id == EL_CHANNEL ||
		    id == EL_ITEM) && b->doc->format == FEED_FORMAT_UNKNOWN)
			b->doc->format = e->uri && strstr(e->uri,
			    NS_RSS090) ? FEED_FORMAT_RSS090 :
			    FEED_FORMAT_RSS10;
		if (id == EL_CHANNEL)
			f->ctx = CTX_FEED;
		else if (id == EL_ITEM)
			item_open(b, f, e);
		return 0;
	case CTX_FEED:
		if (id == EL_ITEM || id == EL_ENTRY) {
			item_open(b, f, e);
			return 0;
		}
		if (id == EL_AUTHOR) {
			f->ctx = CTX_FAUTHOR;
			return 0;
		}
		return field_start(b, e, f, id, 0);
	case CTX_FAUTHOR:
		return id == EL_A_NAME || id == EL_A_EMAIL ?
		    field_start(b, e, f, id, 0) : 0;
	case CTX_ITEM:
		if (id == EL_AUTHOR)
			f->ctx = CTX_AUTHOR;
		else if (id == EL_CATEGORIES)
			f->ctx = CTX_CATS;
		else if (id == EL_MGROUP)
			f->ctx = CTX_GROUP;
		else
			return field_start(b, e, f, id, 1);
		return 0;
	case CTX_AUTHOR:
		return id == EL_A_NAME || id == EL_A_EMAIL ?
		    field_start(b, e, f, id, 1) : 0;
	case CTX_GROUP:
		return id == EL_M_CONTENT || id == EL_M_DESCRIPTION ||
		    id == EL_M_TITLE || id == EL_M_CATEGORY ||
		    id == EL_M_KEYWORDS ?
		    field_start(b, e, f, id, 1) : 0;
	case CTX_ICAT:
		return id == EL_I_CATEGORY ? field_start(b, e, f, id, 1) : 0;
	case CTX_CATS:
		return id == EL_CATEGORY ? field_start(b, e, f, id, 1) : 0;
	default:
		return 0;
	}
}

/* Trims text in place; returns its start, *len its length. */
static char *
trim(struct buf *text, size_t *len)
{
	static char empty[1];
	char *s = text->data;
	size_t n = text->len;

	*len = 0;
	if (s == NULL || n == 0)
		return empty;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	*len = n;
	return s;
}

static char **
str_slot(struct builder *b, int item, enum field field)
{
	struct feed_item *it = b->item;
	struct feed_doc *d = b->doc;

	switch (field) {
	case F_TITLE: return item ? &it->title : &d->title;
	case F_LINK: return item ? &it->link : &d->link;
	case F_ID: return item ? &it->id : &d->id;
	case F_AUTHOR: return item ? &it->author : &d->author;
	case F_SUMMARY: return item ? &it->summary : NULL;
	case F_CONTENT: return item ? &it->content : NULL;
	case F_DESCRIPTION: return item ? NULL : &d->description;
	case F_LANGUAGE: return item ? NULL : &d->language;
	default: return NULL;
	}
}

static int64_t *
date_slot(struct builder *b, int item, enum field field)
{
	if (!item)
		return field == F_UPDATED ? &b->doc->updated : NULL;
	if (field == F_PUBLISHED)
		return &b->item->published;
	return field == F_UPDATED ? &b->item->updated : NULL;
}

/* s[0..n) as a new string, repaired by textfix when it needs it. */
static char *
text_copy(const char *s, size_t n)
{
	char *v = textfix(s, n);

	if (v == NULL) {
		v = xmalloc(n + 1);
		memcpy(v, s, n);
		v[n] = '\0';
	}
	return v;
}

/* resolve: relative URLs in HTML made absolute (else left as written) */
static char *
field_value(const struct xml_elem *e, const struct bframe *f, const char *s,
    size_t n, int resolve)
{
	char *v, *r;

	switch (f->kind) {
	case K_TITLE:
		if (((f->flags & FL_MARKUP) && strpbrk(s, "<&")) ||
		    ((f->flags & FL_GUESS) && html_looks_like_html(s))) {
			r = html_to_text(s);
			v = text_copy(r, strlen(r));
			free(r);
			return v;
		}
		return text_copy(s, n);
	case K_URL:
		return url_resolve(e->base, s);
	case K_GUID:
	case K_ID:
		/* An id is compared byte for byte: kept as written unless
		 * relative, then resolved like a link.  A guid that is no
		 * permalink is opaque. */
		if ((f->kind == K_GUID && !(f->flags & FL_PERMALINK)) ||
		    e->base == NULL || html_has_scheme(s, strlen(s)))
			return xstrdup(s);
		return url_resolve(e->base, s);
	case K_HTML:
		v = text_copy(s, n);
		if (resolve && e->base != NULL &&
		    (r = html_resolve(v, e->base)) != NULL) {
			free(v);
			v = r;
		}
		return v;
	default:
		return text_copy(s, n);
	}
}

/* itunes:keywords, media:keywords: "a, b,c" */
static void
keywords_add(struct builder *b, char *s)
{
	char *save = NULL;

	for (char *w = strtok_r(s, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save)) {
		size_t n;

		while (isspace((unsigned char)*w))
			w++;
		n = strlen(w);
		while (n > 0 && isspace((unsigned char)w[n - 1]))
			w[--n] = '\0';
		if (n > 0)
			category_add(b, xstrdup(w));
	}
}

/*
 * One more author of the same kind (a second atom:author, dc:creator)
 * after those in have: "Alice, Bob", as JSON Feed's authors are joined;
 * only the last was kept.  A name there already is not repeated, and
 * past FEED_AUTHORS_MAX_LEN the rest are left out.  Takes both.
 */
static char *
author_join(char *have, char *name)
{
	size_t hn = strlen(have), nn = name ? strlen(name) : 0;
	char *out;

	for (const char *p = have; name != NULL && nn > 0 &&
	    (p = strstr(p, name)) != NULL; p++)
		if ((p == have || (p >= have + 2 && p[-2] == ',')) &&
		    (p[nn] == '\0' || p[nn] == ','))
			nn = 0;
	if (nn == 0 || hn + 2 + nn > FEED_AUTHORS_MAX_LEN) {
		free(name);
		return have;
	}
	out = xasprintf("%s, %s", have, name);
	free(have);
	free(name);
	return out;
}

/*
 * The item's content.  With FEED_PARSE_KEEP_REFS its relative URLs are
 * left as written and content_base keeps the base in scope: the daemon's
 * outputs resolve them as they sanitize, and parsing the HTML here too
 * (a tree and its serialization) was a tenth of a first fetch's CPU.
 */
static void
content_set(struct builder *b, const struct xml_elem *e,
    const struct bframe *f, const char *s, size_t n)
{
	struct feed_item *it = b->item;
	int keep = (b->flags & FEED_PARSE_KEEP_REFS) && f->kind == K_HTML;

	free(it->content);
	free(it->content_base);
	it->content = field_value(e, f, s, n, !keep);
	it->content_base = keep && e->base != NULL && it->content != NULL &&
	    html_has_relative(it->content) ? xstrdup(e->base) : NULL;
}

static void
field_set(struct builder *b, const struct xml_elem *e, struct bframe *f,
    char *s, size_t n)
{
	uint8_t *ranks = f->item ? b->irank : b->frank;
	int64_t t, *tslot;
	char **slot;

	if (f->kind == K_DATE) {
		if (date_parse(s, &t) == -1) {
			feed_doc_add_error(b->doc, "line %ld: unparseable date "
			    "'%.80s'", e->line, s);
			return;
		}
		if ((tslot = date_slot(b, f->item, f->field)) != NULL)
			*tslot = t;
	} else if (f->field == F_TTL) {
		if ((t = parse_length(s)) < 0 || t > 1000000)
			return;
		b->doc->ttl = (int)t;
	} else if ((slot = str_slot(b, f->item, f->field)) != NULL) {
		char *decoded = NULL;

		if (f->flags & FL_BASE64) {
			if ((decoded = base64_decode(s)) == NULL) {
				feed_doc_add_error(b->doc, "line %ld: <%s> is "
				    "not base64 text", e->line, e->local);
				return;
			}
			if (f->kind == K_HTML && !(f->flags & FL_MARKUP)) {
				char *esc = html_escape_text(decoded);

				free(decoded);
				decoded = esc;
			}
			s = decoded;
			n = strlen(s);
		}
		if (f->field == F_AUTHOR && *slot != NULL &&
		    ranks[F_AUTHOR] == f->rank)
			*slot = author_join(*slot, field_value(e, f, s, n, 1));
		else if (f->item && f->field == F_CONTENT)
			content_set(b, e, f, s, n);
		else {
			free(*slot);
			*slot = field_value(e, f, s, n, 1);
		}
		free(decoded);
		if (f->field == F_LANGUAGE)
			lang_normalize(*slot);
		/* a permalink stands in for a missing link: resolved, or as
		 * written when there is no base (but never urn:, tag:) */
		if (f->kind == K_GUID && (f->flags & FL_PERMALINK) &&
		    (url_is_http(*slot) ||
		    !html_has_scheme(*slot, strlen(*slot)))) {
			free(b->permalink);
			b->permalink = xstrdup(*slot);
		}
	}
	ranks[f->field] = f->rank;
}

void
builder_end(struct builder *b, const struct xml_elem *e, struct buf *text)
{
	struct bframe *f = &b->stack[e->depth];
	size_t n;
	char *s;

	if (f->ctx == CTX_ITEM) {
		if (e->depth == b->item_depth)
			item_close(b);
		return;
	}
	if (text == NULL || (f->item && b->item == NULL))
		return;
	s = trim(text, &n);
	if (*s == '\0')
		return;
	if (f->kind == K_CATEGORY)
		category_add(b, xstrdup(s));
	else if (f->kind == K_KEYWORDS)
		keywords_add(b, s);
	else if (f->field != F_NONE)
		field_set(b, e, f, s, n);
}

int
builder_finish(struct builder *b, char **errstr)
{
	item_close(b);
	if (b->items_dropped)
		feed_doc_add_error(b->doc, "more than %d items: %d ignored",
		    BUILD_MAX_ITEMS, b->items_dropped);
	if (!b->root_seen) {
		*errstr = xstrdup("not a feed: no XML element");
		return -1;
	}
	if (b->doc->format == FEED_FORMAT_UNKNOWN) {
		*errstr = xstrdup(b->refusal ? b->refusal :
		    "not a feed: RDF document without an RSS channel");
		return -1;
	}
	return 0;
}
