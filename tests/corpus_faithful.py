#!/usr/bin/python3
"""corpus_faithful: is the aggregated feed faithful to its sources?

Usage: corpus_faithful.py FEEDD SHARED WORKDIR

Configures every feed document of SHARED/corpus (MANIFEST.tsv) as a
file:// feed, runs `FEEDD once` with max_entries = 100000, then reads the
sources with Debian's python3-feedparser (a reference reader, as
../shared/tools/diff-parse does) and the Atom output with the standard
library's ElementTree (expat, namespaces on: what feedparser's strict
parser runs on; the output is feedd's own well-formed Atom, whose every
field read here is plain text, so a generic reader sees what feedparser
sees at a tenth of the cost) and checks:

  stories   the output has as many entries as the database has stories,
            and every source item with an http(s) link is in it: an
            entry carries that link (alternate, or related when a newer
            story of the same feed has it too, or when the item joined
            another outlet's story: then its author and enclosures are
            not checked, the entry being that story's first item's);
  enclosures  every http(s) enclosure of such an item is on its entry;
  authors   an item whose source names an author (on the item or the
            feed) has it in the output, not the feed title that an
            entry nobody signed gets;
  dates     no entry is dated after the run;
  content   no relative href/src is left in summary or content;
  sfeed     Debian's sfeed (a small strict C reader, another parser than
            expat and feedparser) reads every entry of the output as it
            stands there: same count and order, id, title, alternate link
            (when the entry has one: sfeed takes atom:source's for an entry
            without), published-or-updated date, first author's name,
            first enclosure, category terms and content-or-summary markup.

What feedparser reads in each source is kept in $FEEDD_TEST_CACHE
(the build folder, under make) as corpus-sources.json, keyed by the
source's bytes, feedparser's version
and this script: the sources are fixed inputs, so only a changed source,
script or feedparser is read again; feedd's side is always run anew.

Source items whose link feedd's parser read otherwise (no stored item
has it) are counted apart: diff-parse judges the parser.
Links compare as feedd's canonical story key does loosely: scheme, "www.",
a trailing slash and the fragment aside, so a story that arrived from two
feeds under two spellings of one URL counts as present.  Prints counts
and up to 10 examples per failed check; exit 0 when every check holds,
1 when one fails, 2 when it cannot run.
"""

import collections
import datetime
import hashlib
import html
import html.parser
import json
import multiprocessing
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import warnings
import xml.etree.ElementTree as ET

try:
    import feedparser
except ImportError:
    print('corpus_faithful: needs python3-feedparser (scripts/install-deps)')
    sys.exit(2)

SKIP_FORMATS = {'notfeed', 'opml', 'format', 'rss20+gzip'}
HTTP = re.compile(r'^https?://[^/?#\s]', re.I)
ATOM = '{http://www.w3.org/2005/Atom}'


def loose(url):
    """A link as a story key, loosely: no scheme, www., slash, fragment."""
    if not url:
        return None
    # html.unescape: feedd's parser kept "&#38;" for "&amp;" in attribute
    # values (being fixed with the parser, issue #9), and the writer then
    # escaped the "#" it cannot hold twice; a link is the same link
    u = html.unescape(urllib.parse.unquote(url.strip()))
    u = re.sub(r'#.*$', '', u)
    u = re.sub(r'^https?://', '', u, flags=re.I)
    u = re.sub(r'^www\.', '', u, flags=re.I)
    host, _, rest = u.partition('/')
    u = host.lower() + ('/' + rest if rest else '')
    return u.rstrip('/')


class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ('href', 'src') and v is not None:
                self.refs.append((tag, k, v.strip()))


def relative_refs(markup):
    p = Refs()
    try:
        p.feed(markup or '')
        p.close()
    except Exception:
        pass
    return [r for r in p.refs if r[2] and not re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', r[2])
            and not r[2].startswith('#')]


def corpus_rows(shared):
    rows = []
    with open(os.path.join(shared, 'corpus', 'MANIFEST.tsv'), encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if len(cols) < 6 or cols[0] == 'file' or cols[5] in SKIP_FORMATS:
                continue
            rows.append(cols)
    return rows


def write_config(work, shared, rows):
    conf = os.path.join(work, 'feedd.conf')
    with open(conf, 'w', encoding='utf-8') as f:
        f.write('[daemon]\nstate_dir = %s\nconcurrency = 2\n\n' % os.path.join(work, 'state'))
        f.write('[output]\natom = %s\njson = %s\nmax_entries = 100000\n'
                'url = http://127.0.0.1:8787/feed.xml\n\n'
                % (os.path.join(work, 'feed.xml'), os.path.join(work, 'feed.json')))
        for i, r in enumerate(rows):
            path = os.path.join(os.path.realpath(shared), 'corpus', r[0])
            f.write('[feed "c%03d"]\nurl = file://%s\n\n' % (i, urllib.parse.quote(path)))
    return conf


def json_author(obj):
    """The author names a JSON Feed object gives (1.1 authors, 1.0
    author), '' for none."""
    people = obj.get('authors') if isinstance(obj.get('authors'), list) else []
    if isinstance(obj.get('author'), dict):
        people = people + [obj['author']]
    names = [str(p.get('name') or p.get('url') or 'yes') for p in people if isinstance(p, dict)]
    return ' '.join(names)


def source_items(shared_row):
    """[(link, title, [enclosure urls], author)] of one source document:
    author, the names the item (else its feed) gives, '' for none."""
    shared, row = shared_row
    path = os.path.join(shared, 'corpus', row[0])
    out = []
    if row[5].startswith('json'):
        try:
            with open(path, 'rb') as f:
                doc = json.loads(f.read().decode('utf-8', 'replace'))
        except ValueError:
            return out
        if not isinstance(doc, dict):
            return out
        feed_author = json_author(doc)
        for it in doc.get('items') or []:
            if not isinstance(it, dict):
                continue
            encl = [a.get('url') for a in it.get('attachments') or []
                    if isinstance(a, dict) and isinstance(a.get('url'), str)]
            out.append((it.get('url') if isinstance(it.get('url'), str) else None,
                        it.get('title') if isinstance(it.get('title'), str) else None, encl, json_author(it) or feed_author))
        return out
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        # only links, titles, enclosures and authors are read here
        d = feedparser.parse(path, sanitize_html=False,
                             resolve_relative_uris=False)
    feed_author = (d.feed.get('author') or '').strip()
    for e in d.entries:
        encl = [x.get('href') for x in e.get('enclosures') or [] if x.get('href')]
        out.append((e.get('link'), e.get('title'), encl, (e.get('author') or '').strip() or feed_author))
    return out


def cache_key():
    """What a cached reading of a source depends on besides its bytes."""
    with open(os.path.abspath(__file__), 'rb') as f:
        script = f.read()
    return '%s %s %s' % (feedparser.__version__, sys.version.split()[0],
                         hashlib.sha256(script).hexdigest())


class SourceCache:
    """source_items of every source, read again only when its bytes change."""

    def __init__(self, shared, rows):
        cache = os.environ.get('FEEDD_TEST_CACHE')
        self.path = os.path.join(cache, 'corpus-sources.json') if cache else None
        self.key = cache_key()
        self.files = {}
        try:
            with open(self.path or '', encoding='utf-8') as f:
                doc = json.load(f)
            if doc.get('key') == self.key:
                self.files = doc['files']
        except (OSError, ValueError, KeyError, AttributeError):
            pass
        self.digests = {}
        for row in rows:
            with open(os.path.join(shared, 'corpus', row[0]), 'rb') as f:
                self.digests[row[0]] = hashlib.sha256(f.read()).hexdigest()
        self.missing = [row for row in rows if (self.files.get(row[0]) or [None])[0]
                        != self.digests[row[0]]]

    def items(self, rows, fresh):
        """The items of every row, fresh ones (of self.missing) stored."""
        for row, items in zip(self.missing, fresh):
            self.files[row[0]] = [self.digests[row[0]], items]
        if self.missing and self.path:
            tmp = '%s.%d' % (self.path, os.getpid())
            with open(tmp, 'w', encoding='utf-8') as f:
                json.dump({'key': self.key, 'files': self.files}, f)
            os.replace(tmp, self.path)
        return [self.files[row[0]][1] for row in rows]


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    feedd, shared, work = sys.argv[1:]
    rows = corpus_rows(shared)
    conf = write_config(work, shared, rows)
    cache = SourceCache(shared, rows)
    pool = pending = None
    if cache.missing:
        # the sources not read before are read in a second process
        # meanwhile: none of it waits for feedd
        pool = multiprocessing.get_context('fork').Pool(1)
        pending = pool.map_async(source_items, [(shared, row) for row in cache.missing])
    try:
        return check(feedd, conf, work, rows,
                     lambda: cache.items(rows, pending.get() if pool else []))
    finally:
        if pool:
            pool.terminate()


def atom_time(text):
    """Unix seconds of an RFC 3339 date (atom:updated), or None."""
    try:
        d = datetime.datetime.fromisoformat(text.strip().replace('Z', '+00:00'))
    except ValueError:
        return None
    return int(d.timestamp()) if d.tzinfo else None


def output_entries(path):
    """(problem or None, the entries of feedd's Atom file): per entry its
    id, title, links [(rel, href)], whether it names an author, dates
    {updated/published: text} and its summary and content markup."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return 'not well-formed XML: %s' % e, []
    if root.tag != ATOM + 'feed':
        return 'root element %s, not an Atom feed' % root.tag, []
    entries = []
    for el in root.iterfind(ATOM + 'entry'):
        def text(name):
            t = el.findtext(ATOM + name)
            return t.strip() if t is not None else None
        entries.append({
            'id': text('id'), 'title': text('title'),
            'links': [(ln.get('rel', 'alternate'), ln.get('href'))
                      for ln in el.iterfind(ATOM + 'link')],
            'author': any((a.findtext(ATOM + 'name') or a.findtext(ATOM + 'email')
                           or '').strip() for a in el.iterfind(ATOM + 'author')),
            'dates': {k: text(k) for k in ('updated', 'published')
                      if el.find(ATOM + k) is not None},
            'parts': [el.findtext(ATOM + k) for k in ('summary', 'content')
                      if el.find(ATOM + k) is not None],
            'names': [(a.findtext(ATOM + 'name') or '').strip() for a in el.iterfind(ATOM + 'author')],
            'source': (el.findtext(ATOM + 'source/' + ATOM + 'title') or '').strip(),
            'terms': [c.get('term') or '' for c in el.iterfind(ATOM + 'category')],
        })
    return None, entries


def sfeed_fields(line):
    """sfeed's TSV line: timestamp, title, link, content, content-type,
    id, author, enclosure, categories (\\n, \\t, \\\\ escaped)."""
    esc = {'n': '\n', 't': '\t', '\\': '\\'}
    cols = [re.sub(r'\\(.)', lambda m: esc.get(m.group(1), m.group(0)), c)
            for c in line.split('\t')]
    return cols + [''] * (9 - len(cols))


def check_sfeed(path, entries):
    """Where sfeed reads an entry otherwise than the document says."""
    fold = lambda s: ' '.join((s or '').split())
    try:
        with open(path, 'rb') as f:
            p = subprocess.run(['sfeed'], stdin=f, capture_output=True, timeout=300)
    except OSError as e:
        return ['cannot run sfeed (scripts/install-deps installs it): %s' % e]
    lines = [l for l in p.stdout.decode('utf-8', 'replace').split('\n') if l]
    bad = []
    if p.returncode != 0 or len(lines) != len(entries):
        bad.append('sfeed exited %d with %d entries of %d' % (p.returncode, len(lines),
                                                             len(entries)))
    for e, line in zip(entries, lines):
        ts, title, link, content, _, eid, author, encl, cats = sfeed_fields(line)
        dates = e['dates']
        when = atom_time(dates.get('published') or dates['updated'])
        alt = [h for r, h in e['links'] if r == 'alternate']
        encls = [h for r, h in e['links'] if r == 'enclosure']
        want = {'id': e['id'], 'title': fold(e['title']), 'date': str(when),
                'link': alt[0] if alt else link, 'author': fold(e['names'][0] if e['names'] else ''),
                'enclosure': encls[0] if encls else '', 'text': fold(e['parts'][-1] if e['parts'] else ''),
                # sfeed joins the terms with "|", whatever they hold
                'categories': '|'.join(e['terms'])}
        got = {'id': eid, 'title': fold(title), 'date': ts, 'link': link, 'author': fold(author),
               'enclosure': encl, 'text': fold(content), 'categories': cats}
        for k in want:
            if want[k] != got[k]:
                bad.append('%s: sfeed reads %s %r, the entry says %r'
                           % (e['id'], k, got[k][:120], want[k][:120]))
    return bad


def check(feedd, conf, work, rows, sources):
    t0 = int(time.time())
    p = subprocess.run([feedd, '-c', conf, 'once'], capture_output=True, text=True,
                       timeout=600, stdin=subprocess.DEVNULL)
    t1 = int(time.time())
    print('feedd once: exit %d: %s' % (p.returncode, (p.stdout + p.stderr).strip()[-300:]))
    if p.returncode != 0:
        return 1
    db = sqlite3.connect(os.path.join(work, 'state', 'feedd.db'))
    nstories = db.execute('SELECT count(*) FROM stories').fetchone()[0]
    nitems = db.execute('SELECT count(*) FROM items').fetchone()[0]
    # an item that joined another feed's story (same canonical link):
    # its story is the entry of the story's first item
    merged = dict(db.execute(
        'SELECT i.link, (SELECT r.link FROM items r WHERE r.story_id = i.story_id'
        ' ORDER BY r.id LIMIT 1) FROM items i WHERE i.link IS NOT NULL'))
    grouped = {loose(link) for (link,) in db.execute(
        'SELECT link FROM items WHERE story_why IS NOT NULL AND link IS NOT NULL')}
    stored = set()
    for link, eid in db.execute('SELECT link, entry_id FROM items'):
        stored.add(loose(link))
        stored.add(loose(eid))
    db.close()
    failures = collections.defaultdict(list)
    counts = collections.Counter()
    # as written: no sanitizer, no URI resolver, which would only hide
    # what the content check looks for (a relative href or src)
    problem, entries = output_entries(os.path.join(work, 'feed.xml'))
    if problem:
        failures['output'].append(problem)
    counts['entries'] = len(entries)
    if len(entries) != nstories:
        failures['stories'].append('%d entries for %d stories in the database'
                                   % (len(entries), nstories))
    by_link = collections.defaultdict(list)
    for e in entries:
        for rel, href in e['links']:
            if rel in ('alternate', 'related'):
                by_link[loose(href)].append(e)
        # an entry's http id stands for its link (as feedparser takes it)
        if HTTP.match(e['id'] or ''):
            by_link[loose(e['id'])].append(e)
        for key, value in e['dates'].items():
            t = atom_time(value)
            if t is None:
                failures['dates'].append('%s %s %r is no RFC 3339 date' % (e['id'], key, value))
            elif t > t1:
                failures['dates'].append('%s %s is after the run' % (e['id'], key))
        for part in e['parts']:
            for ref in relative_refs(part):
                failures['content'].append('%s: relative %s %s=%r' % (e['id'], *ref))
    failures['sfeed'].extend(check_sfeed(os.path.join(work, 'feed.xml'), entries))
    for row, items in zip(rows, sources()):
        for link, title, encl, author in items:
            if not link or not HTTP.match(link):
                continue
            if loose(link) not in stored:
                # feedd's parser read this item's link otherwise: that is
                # diff-parse's business (the parser), not the output's
                counts['read otherwise by the parser'] += 1
                continue
            counts['source items with a link'] += 1
            cands = by_link.get(loose(link)) or by_link.get(loose(merged.get(link)), [])
            if not cands:
                failures['stories'].append('%s: %s missing' % (row[0], link))
                continue
            # stories sharing a link (loosely: fragments aside): the one
            # with the same title, else any of them
            same = [c for c in cands if ' '.join((c['title'] or '').split())
                    == ' '.join((title or '').split())]
            if not same and loose(link) in grouped:
                # it joined another outlet's story (story grouping): the
                # entry is that story's first item, this one a related
                # source of it; its author and enclosures are its own
                counts['grouped into another story'] += 1
                continue
            cands = same or cands
            have = {loose(href) for c in cands for rel, href in c['links']
                    if rel == 'enclosure'}
            for x in encl:
                if HTTP.match(x):
                    counts['enclosures'] += 1
                    if loose(x) not in have:
                        failures['enclosures'].append('%s: %s lost %s' % (row[0], link, x))
            if author:
                # its own author, not the feed title an unsigned entry
                # gets (unless the author is so named)
                counts['with an author'] += 1
                if not any(n and (n != c['source'] or n.lower() in author.lower())
                           for c in cands for n in c['names']):
                    failures['authors'].append('%s: %s lost its author %r' % (row[0], link, author))
    print('corpus: %d documents, %d items, %d stories, %d entries; checked %d source items'
          ' with a link (%d more read otherwise by the parser), %d enclosures, %d authors;'
          ' run %d..%d'
          % (len(rows), nitems, nstories, counts['entries'], counts['source items with a link'],
             counts['read otherwise by the parser'], counts['enclosures'],
             counts['with an author'], t0, t1))
    for check in ('output', 'stories', 'enclosures', 'authors', 'dates', 'content', 'sfeed'):
        bad = failures.get(check, [])
        print('%-10s %s' % (check, 'ok' if not bad else '%d FAILED' % len(bad)))
        for b in bad[:10]:
            print('    ' + b)
    return 1 if any(failures.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
