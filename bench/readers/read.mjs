// read.mjs LIB FILE: what one npm feed reader reads in FILE (feedd's
// feed.xml or feed.json), as one JSON array on stdout, one object per
// entry with the reader's own values (no cleaning here: compare.py
// normalizes).  Fields a reader does not give are left out.
// LIB: rss-parser, feed-extractor, feedparser, feedsmith, rowanmanning.
import fs from 'node:fs';

const [lib, file] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
const isJson = file.endsWith('.json');
const iso = (d) => (d instanceof Date ? (isNaN(d) ? 'Invalid' : d.toISOString()) : d);

async function rssParser() {
  const { default: Parser } = await import('rss-parser');
  const feed = await new Parser().parseString(text);
  return feed.items.map((it) => ({
    id: it.id ?? it.guid, title: it.title, link: it.link,
    published: it.isoDate ?? it.pubDate, updated: it.updated,
    authors: it.author != null ? [it.author] : it.creator != null ? [it.creator] : [],
    categories: it.categories, enclosures: it.enclosure ? [it.enclosure.url] : [],
    summary: it.summary, content: it.content,
  }));
}

async function feedExtractor() {
  const fe = await import('@extractus/feed-extractor');
  const opts = { descriptionMaxLen: 0 };
  const feed = isJson ? fe.extractFromJson(JSON.parse(text), opts) : fe.extractFromXml(text, opts);
  return feed.entries.map((it) => ({
    id: it.id, title: it.title, link: it.link, published: it.published,
    summary: it.description,
  }));
}

async function feedparserNode() {
  const { default: FeedParser } = await import('feedparser');
  const { Readable } = await import('node:stream');
  return new Promise((resolve, reject) => {
    const items = [];
    const fp = new FeedParser({ addmeta: false });
    fp.on('error', reject);
    fp.on('readable', function () {
      let it;
      while ((it = this.read())) {
        items.push({
          id: it.guid, title: it.title, link: it.link,
          published: iso(it.pubdate), updated: iso(it.date),
          authors: it.author != null ? [it.author] : [],
          categories: it.categories, enclosures: (it.enclosures || []).map((e) => e.url),
          summary: it.summary, content: it.description,
        });
      }
    });
    fp.on('end', () => resolve(items));
    Readable.from([Buffer.from(text)]).pipe(fp);
  });
}

async function feedsmith() {
  const { parseFeed } = await import('feedsmith');
  const { format, feed } = parseFeed(text);
  if (format === 'json') {
    return (feed.items || []).map((it) => ({
      id: it.id, title: it.title, link: it.url, external_url: it.external_url,
      published: it.date_published, updated: it.date_modified,
      authors: (it.authors || []).map((a) => a.name), categories: it.tags,
      enclosures: (it.attachments || []).map((a) => a.url),
      summary: it.summary, content: it.content_html ?? it.content_text,
    }));
  }
  return (feed.entries || []).map((it) => {
    const links = it.links || [];
    const alt = links.find((l) => (l.rel ?? 'alternate') === 'alternate');
    return {
      id: it.id, title: it.title, link: alt ? alt.href : undefined,
      published: it.published, updated: it.updated,
      authors: (it.authors || []).map((a) => a.name),
      categories: (it.categories || []).map((c) => c.term),
      enclosures: links.filter((l) => l.rel === 'enclosure').map((l) => l.href),
      summary: it.summary, content: it.content,
    };
  });
}

async function rowanmanning() {
  const { parseFeed } = await import('@rowanmanning/feed-parser');
  const feed = parseFeed(text);
  return feed.items.map((it) => ({
    id: it.id, title: it.title, link: it.url,
    published: iso(it.published), updated: iso(it.updated),
    authors: (it.authors || []).map((a) => a.name),
    categories: (it.categories || []).map((c) => c.term),
    enclosures: (it.media || []).map((m) => m.url),
    summary: it.description, content: it.content,
  }));
}

const readers = {
  'rss-parser': rssParser, 'feed-extractor': feedExtractor,
  feedparser: feedparserNode, feedsmith, rowanmanning,
};
if (!readers[lib]) {
  console.error(`read.mjs: no reader "${lib}"`);
  process.exit(2);
}
const items = await readers[lib]();
process.stdout.write(JSON.stringify(items));
