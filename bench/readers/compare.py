#!/usr/bin/python3
"""compare.py: what real feed readers read in feedd's outputs, entry by entry.

Usage: bench/readers/compare.py [--only LIST] WORKDIR

WORKDIR holds feed.xml and feed.json (bench/readers/readers.sh makes it
from the whole shared corpus).  The baseline is what the documents say
by the specs: feed.xml read with ElementTree (RFC 4287: atom:id, the
rel="alternate" link, atom:published / atom:updated, author names,
category terms, rel="enclosure" links, summary and content as their type
says) and feed.json read with json (JSON Feed 1.1).  Each reader's
reading is compared with it, field by field:

  Atom: python3-feedparser, sfeed, newsboat (Debian); gofeed (Go,
        Debian); XML::Feed (Perl, Debian); Ruby rss (Debian's ruby);
        SimplePie (PHP, Debian's libphp-simplepie);
        rss-parser, @extractus/feed-extractor, feedparser (node),
        feedsmith, @rowanmanning/feed-parser (npm, bench/readers/
        package.json).
  JSON Feed: gofeed, feedsmith, feed-extractor.

Text (summary, content) compares with tags stripped, references decoded
and whitespace folded; titles and names with whitespace folded; dates as
seconds.  A reader that gives one date compares it with published, or
with updated when the entry has no published (what RFC 4287 leaves a
reader to show); a reader with one text field compares it with content,
else summary.  Prints a table reader x field (entries that differ, by rough kind)
and writes it with up to --examples differing entries per reader, field
and kind to WORKDIR/readers-report.json; --table prints that report as
a Markdown table (another report's counts in brackets where they were
other).
"""

import argparse
import calendar
import collections
import datetime
import email.utils
import html
import html.parser
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
A = '{http://www.w3.org/2005/Atom}'
FIELDS = ['id', 'title', 'link', 'published', 'updated', 'date', 'authors',
          'categories', 'enclosures', 'summary', 'content', 'text']


# ---- normalizing -------------------------------------------------------

def fold(s):
    return re.sub(r'\s+', ' ', s).strip() if isinstance(s, str) else s


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, d):
        self.parts.append(d)

    def handle_starttag(self, tag, attrs):
        self.parts.append(' ')

    def handle_endtag(self, tag):
        self.parts.append(' ')


def strip_html(s):
    if not isinstance(s, str):
        return None
    p = _Text()
    try:
        p.feed(s)
        p.close()
    except Exception:
        return fold(s)
    return fold(''.join(p.parts))


def text_of(v):
    """A reader's text field: a string, or {value} / {_: } objects."""
    if isinstance(v, dict):
        for k in ('value', '_', '#text', 'text'):
            if k in v:
                return text_of(v[k])
        return None
    if isinstance(v, list):
        return text_of(v[0]) if v else None
    if v is None:
        return None
    return str(v)


def to_epoch(v):
    if v is None or v == '' or v == 'Invalid':
        return None
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v).strip()
    if re.fullmatch(r'-?\d+', s):
        return int(s)
    try:
        d = datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
        if d.tzinfo is None:
            d = d.replace(tzinfo=datetime.timezone.utc)
        return int(d.timestamp())
    except ValueError:
        pass
    try:
        t = email.utils.parsedate_tz(s)
        if t:
            return int(email.utils.mktime_tz(t))
    except (TypeError, ValueError, OverflowError):
        pass
    return 'unparsed:' + s


def names(v):
    if v is None:
        return []
    if not isinstance(v, list):
        v = [v]
    out = []
    for a in v:
        if isinstance(a, dict):
            a = a.get('name') or a.get('value')
        a = fold(text_of(a))
        if a:
            out.append(a)
    return out


def strings(v):
    if v is None:
        return []
    if not isinstance(v, list):
        v = [v]
    out = []
    for c in v:
        c = fold(text_of(c)) if not isinstance(c, dict) else fold(text_of(
            c.get('term') or c.get('name') or c.get('_') or c.get('value')))
        if c:
            out.append(c)
    return out


def norm(r, plain_summary=False):
    """One reader entry (read.mjs's shape) to comparable values."""
    summary = text_of(r.get('summary'))
    if plain_summary and summary:
        summary = '\x00' + summary
    content = text_of(r.get('content'))
    return {
        'id': fold(text_of(r.get('id'))) or None,
        'title': fold(text_of(r.get('title'))),
        'link': (text_of(r.get('link')) or '').strip() or None,
        'published': to_epoch(r.get('published')),
        'updated': to_epoch(r.get('updated')),
        'authors': names(r.get('authors')),
        'categories': strings(r.get('categories')),
        'enclosures': [u for u in strings(r.get('enclosures'))],
        'summary': None if not summary else fold(summary[1:]) if summary[0] == '\x00'
        else strip_html(summary),
        'content': strip_html(content) if content else None,
    }


# ---- baselines: the documents read by the specs ------------------------

def atom_text(el):
    """An atom text construct as text (RFC 4287 3.1)."""
    if el is None:
        return None
    t = el.get('type', 'text')
    if t == 'xhtml':
        div = el.find('{http://www.w3.org/1999/xhtml}div')
        return fold(''.join(div.itertext())) if div is not None else ''
    if t == 'html':
        return strip_html(el.text or '')
    return fold(el.text or '')


def atom_baseline(path):
    out = []
    for e in ET.parse(path).getroot().iter(A + 'entry'):
        alt = [l.get('href') for l in e.findall(A + 'link')
               if l.get('rel', 'alternate') == 'alternate']
        d = {
            'id': fold(e.findtext(A + 'id')),
            'title': atom_text(e.find(A + 'title')),
            'link': alt[0] if alt else None,
            'published': to_epoch(e.findtext(A + 'published')),
            'updated': to_epoch(e.findtext(A + 'updated')),
            'authors': [fold(a.findtext(A + 'name')) for a in e.findall(A + 'author')],
            'categories': [c.get('term') for c in e.findall(A + 'category')],
            'enclosures': [l.get('href') for l in e.findall(A + 'link')
                           if l.get('rel') == 'enclosure'],
            'summary': atom_text(e.find(A + 'summary')),
            'content': atom_text(e.find(A + 'content')),
            'related': [l.get('href') for l in e.findall(A + 'link')
                        if l.get('rel') == 'related'],
        }
        out.append(d)
    return out


def json_baseline(path):
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    out = []
    for it in doc['items']:
        out.append({
            'id': it['id'], 'title': fold(it.get('title')),
            'link': it.get('url'),
            'published': to_epoch(it.get('date_published')),
            'updated': to_epoch(it.get('date_modified')),
            'authors': names(it.get('authors')),
            'categories': strings(it.get('tags')),
            'enclosures': [a['url'] for a in it.get('attachments') or []],
            'summary': fold(it.get('summary')),
            'content': strip_html(it['content_html']) if 'content_html' in it
            else fold(it.get('content_text')),
            'related': [],
        })
    return out


# ---- readers -------------------------------------------------------------

def run_json(cmd, timeout=600):
    t0 = os.times()
    r = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=HERE)
    t1 = os.times()
    cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
    if r.returncode != 0:
        raise RuntimeError('%s exited %d: %s' % (' '.join(cmd), r.returncode,
                                                  r.stderr.decode(errors='replace')[-500:]))
    return json.loads(r.stdout), cpu


def node(lib):
    return lambda path: run_json(['node', os.path.join(HERE, 'read.mjs'), lib, path])


def gofeed(path):
    return run_json([os.path.join(ROOT, 'build', 'readers', 'read_gofeed'), path])


def xmlfeed(path):
    return run_json(['perl', os.path.join(HERE, 'read_xmlfeed.pl'), path])


def simplepie(path):
    return run_json(['php', '-d', 'memory_limit=-1', os.path.join(HERE, 'read_simplepie.php'), path])


def ruby(path):
    return run_json(['ruby', os.path.join(HERE, 'read_ruby.rb'), path])


def pyfeedparser(path):
    import feedparser
    t0 = time.process_time()
    d = feedparser.parse(path)
    out = []
    for e in d.entries:
        content = e.get('content')
        out.append({
            'id': e.get('id'), 'title': e.get('title'), 'link': e.get('link'),
            'published': calendar.timegm(e.published_parsed) if e.get('published_parsed') else None,
            'updated': calendar.timegm(e.updated_parsed) if e.get('updated_parsed') else None,
            'authors': [a.get('name') for a in e.get('authors', []) if a.get('name')],
            'categories': [t.get('term') for t in e.get('tags', [])],
            'enclosures': [l.get('href') for l in e.get('links', []) if l.get('rel') == 'enclosure'],
            'summary': e.get('summary'),
            'content': content[0].get('value') if content else None,
        })
    return out, time.process_time() - t0


def unescape_sfeed(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t', '\\': '\\'}.get(m.group(1), m.group(0)), s)


def sfeed(path):
    t0 = os.times()
    with open(path, 'rb') as f:
        r = subprocess.run(['sfeed'], stdin=f, capture_output=True, timeout=300)
    t1 = os.times()
    out = []
    for line in r.stdout.decode('utf-8', 'replace').split('\n'):
        if not line:
            continue
        c = line.split('\t')
        c += [''] * (9 - len(c))
        out.append({
            'published': c[0] or None, 'title': unescape_sfeed(c[1]), 'link': c[2],
            'content': unescape_sfeed(c[3]) if c[4] == 'html' else html.escape(unescape_sfeed(c[3])),
            'id': c[5], 'authors': [c[6]] if c[6] else [],
            'enclosures': [c[7]] if c[7] else [],
            'categories': [x for x in c[8].split('|') if x],
        })
    return out, (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)


def newsboat(path):
    with tempfile.TemporaryDirectory(prefix='readers-newsboat.') as tmp:
        url = 'file://' + urllib.parse.quote(os.path.abspath(path))
        with open(os.path.join(tmp, 'urls'), 'w') as f:
            f.write('"%s"\n' % url)
        with open(os.path.join(tmp, 'config'), 'w') as f:
            f.write('max-items 0\nkeep-articles-days 0\nreload-threads 1\n')
        env = dict(os.environ, HOME=tmp, TERM='dumb')
        cache = os.path.join(tmp, 'cache.db')
        t0 = os.times()
        subprocess.run(['newsboat', '-u', 'urls', '-c', cache, '-C', 'config', '-x', 'reload'],
                       cwd=tmp, env=env, capture_output=True, timeout=600, check=True)
        t1 = os.times()
        con = sqlite3.connect(cache)
        rows = con.execute('SELECT guid, title, author, url, pubDate, content, enclosure_url '
                           'FROM rss_item ORDER BY id').fetchall()
        con.close()
    out = [{'id': g, 'title': t, 'authors': [a] if a else [], 'link': u,
            'published': p, 'content': c, 'enclosures': [x] if x else []}
           for g, t, a, u, p, c, x in rows]
    return out, (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)


# which fields each reader gives (others are "not read" by design)
ATOM_READERS = {
    'feedparser-py': (pyfeedparser, ['id', 'title', 'link', 'published', 'updated', 'authors',
                                     'categories', 'enclosures', 'summary', 'content']),
    'sfeed': (sfeed, ['id', 'title', 'link', 'date', 'authors', 'categories',
                      'enclosures', 'text']),
    'newsboat': (newsboat, ['id', 'title', 'link', 'date', 'authors', 'enclosures', 'text']),
    'gofeed': (gofeed, ['id', 'title', 'link', 'published', 'updated', 'authors',
                        'categories', 'enclosures', 'summary', 'content']),
    'xml-feed-perl': (xmlfeed, ['id', 'title', 'link', 'published', 'updated', 'authors',
                                'categories', 'enclosures', 'summary', 'content']),
    'ruby-rss': (ruby, ['id', 'title', 'link', 'published', 'updated', 'authors',
                        'categories', 'enclosures', 'summary', 'content']),
    'simplepie': (simplepie, ['id', 'title', 'link', 'published', 'updated', 'authors',
                              'categories', 'enclosures', 'summary', 'content']),
    'rss-parser': (node('rss-parser'), ['id', 'title', 'link', 'date', 'authors',
                                        'categories', 'enclosures', 'summary', 'content']),
    'feed-extractor': (node('feed-extractor'), ['id', 'title', 'link', 'date', 'text']),
    'feedparser-node': (node('feedparser'), ['id', 'title', 'link', 'published', 'updated',
                                             'authors', 'categories', 'enclosures',
                                             'summary', 'content']),
    'feedsmith': (node('feedsmith'), ['id', 'title', 'link', 'published', 'updated',
                                      'authors', 'categories', 'enclosures', 'summary',
                                      'content']),
    'rowanmanning': (node('rowanmanning'), ['id', 'title', 'link', 'published', 'updated',
                                            'authors', 'categories', 'enclosures',
                                            'summary', 'content']),
}
JSON_READERS = {
    'gofeed': (gofeed, ['id', 'title', 'link', 'published', 'updated', 'authors',
                        'categories', 'enclosures', 'summary', 'content']),
    'feedsmith': (node('feedsmith'), ['id', 'title', 'link', 'published', 'updated',
                                      'authors', 'categories', 'enclosures', 'summary',
                                      'content']),
    'feed-extractor': (node('feed-extractor'), ['id', 'title', 'link', 'date', 'text']),
}


# ---- comparing -----------------------------------------------------------

def expected(base, field):
    if field == 'date':
        return base['published'] if base['published'] is not None else base['updated']
    if field == 'text':
        return base['content'] if base['content'] is not None else base['summary']
    return base[field]


def got(ent, field, base):
    if field == 'date':
        return ent['published'] if ent['published'] is not None else ent['updated']
    if field == 'text':
        return ent['content'] if ent['content'] is not None else ent['summary']
    if field == 'summary' and base['summary'] is None and ent['summary'] is not None \
            and ent['summary'] == ent['content']:
        return None  # the reader's summary is its content: no summary of its own
    if field == 'content' and base['content'] is None and ent['content'] is not None \
            and ent['content'] == base['summary']:
        return None  # one "description" field: the summary, there being no content
    return ent[field]


def kind(field, want, have, base):
    """A rough bucket for a difference; the note classifies for real."""
    if have in (None, [], ''):
        return 'missing'
    if want in (None, [], ''):
        return 'extra'
    if field in ('title', 'summary', 'content', 'text', 'id', 'link') and \
            isinstance(want, str) and isinstance(have, str):
        if fold(html.unescape(have)) == fold(want):
            return 'decoded once more'
        if fold(html.unescape(want)) == fold(have):
            return 'not decoded'
        if want.startswith(have[:40]) and len(have) < len(want):
            return 'truncated'
        if strip_html(have) == want or strip_html(want) == have:
            return 'markup read differently'
        if have.replace(' ', '') == want.replace(' ', ''):
            return 'spacing'
        if urllib.parse.unquote(have) == urllib.parse.unquote(want):
            return 'percent-encoding'
        if fold(html.unescape(have)).replace(' ', '') == fold(want).replace(' ', ''):
            return 'decoded once more + spacing'
    if field in ('published', 'updated', 'date'):
        if field != 'updated' and have == base['updated']:
            return 'is updated'
        if isinstance(want, int) and isinstance(have, int):
            d = have - want
            return ('off by seconds' if abs(d) < 60 else 'off by minutes' if abs(d) < 3600
                    else 'off by hours' if abs(d) < 2 * 86400 else 'other date')
        return 'unparsed'
    if isinstance(want, list) and isinstance(have, list):
        if len(have) < len(want) and all(h in want for h in have):
            return 'fewer'
        if sorted(have) == sorted(want):
            return 'order'
    return 'other'


def match(base, ents):
    if len(base) == len(ents) and sum(b['id'] == e['id'] for b, e in zip(base, ents)) >= len(base) * 0.9:
        return list(zip(base, ents))
    by_id = collections.defaultdict(list)
    for e in ents:
        by_id[e['id']].append(e)
    return [(b, by_id[b['id']].pop(0) if by_id.get(b['id']) else None) for b in base]


def compare(label, base, readers, only, nex):
    report = {}
    for name, (fn, fields) in readers.items():
        if only and name not in only:
            continue
        try:
            raw, cpu = fn(label[1])
        except Exception as ex:  # a reader that fails is a finding, not a crash
            report[name] = {'error': str(ex)[:500]}
            print('%-16s %s: FAILED %s' % (name, label[0], str(ex)[:300]))
            continue
        ents = [norm(r, label[0] == 'json') for r in raw]
        pairs = match(base, ents)
        res = {'entries': len(ents), 'cpu_s': round(cpu, 2), 'fields': {}}
        for f in fields:
            agree = 0
            diffs = collections.defaultdict(list)
            for b, e in pairs:
                want = expected(b, f)
                if e is None:
                    diffs['entry not read'].append((b['id'], want, None))
                    continue
                have = got(e, f, b)
                if f == 'link' and want is None and have in b.get('related', []):
                    have = None  # the related link shown as the page: see note
                    diffs['related link taken as link'].append((b['id'], want, e[f]))
                    continue
                if have == want or (have in (None, '', []) and want in (None, '', [])):
                    agree += 1
                else:
                    diffs[kind(f, want, have, b)].append((b['id'], want, have))
            res['fields'][f] = {
                'agree': agree,
                'differ': sum(len(v) for v in diffs.values()),
                'kinds': {k: {'count': len(v), 'examples': [
                    {'id': i, 'want': str(w)[:300], 'got': str(h)[:300]} for i, w, h in v[:nex]]}
                    for k, v in sorted(diffs.items(), key=lambda kv: -len(kv[1]))},
            }
        report[name] = res
    return report


def print_table(title, report, nbase):
    print('\n== %s (%d entries) ==' % (title, nbase))
    print('%-16s %6s %6s  %s' % ('reader', 'read', 'cpu s', 'field: differ (kinds)'))
    for name, res in report.items():
        if 'error' in res:
            print('%-16s FAILED: %s' % (name, res['error'][:200]))
            continue
        parts = []
        for f, r in res['fields'].items():
            if r['differ']:
                parts.append('%s %d (%s)' % (f, r['differ'], ', '.join(
                    '%s %d' % (k, v['count']) for k, v in r['kinds'].items())))
            else:
                parts.append('%s 0' % f)
        print('%-16s %6d %6.1f  %s' % (name, res['entries'], res['cpu_s'], '; '.join(parts)))


def markdown(report, before=None):
    """reader x field: entries that differ (before, when it was other)."""
    lines = []
    for fmt in ('atom', 'json'):
        fields = [f for f in FIELDS if any(f in r.get('fields', {})
                                           for r in report[fmt].values())]
        lines.append('| %s reader | %s |' % (fmt, ' | '.join(fields)))
        lines.append('|---|%s|' % '|'.join('---' for _ in fields))
        for name, res in report[fmt].items():
            cells = []
            for f in fields:
                r = res.get('fields', {}).get(f)
                if r is None:
                    cells.append('-')
                    continue
                b = (((before or {}).get(fmt, {}).get(name) or {}).get('fields') or {}).get(f)
                cell = str(r['differ'])
                if b is not None and b['differ'] != r['differ']:
                    cell += ' (%d)' % b['differ']
                cells.append(cell)
            lines.append('| %s | %s |' % (name, ' | '.join(cells)))
        lines.append('')
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('workdir')
    ap.add_argument('--table', metavar='BEFORE.json', nargs='?', const='',
                    help='print the Markdown table of WORKDIR/readers-report.json '
                    '(with the differences of BEFORE.json in brackets) and stop')
    ap.add_argument('--only', default='')
    ap.add_argument('--examples', type=int, default=3)
    a = ap.parse_args()
    a.workdir = os.path.abspath(a.workdir)
    if a.table is not None:
        with open(os.path.join(a.workdir, 'readers-report.json'), encoding='utf-8') as f:
            rep = json.load(f)
        before = None
        if a.table:
            with open(a.table, encoding='utf-8') as f:
                before = json.load(f)
        print(markdown(rep, before))
        return
    only = set(x for x in a.only.split(',') if x)
    xml_path = os.path.join(a.workdir, 'feed.xml')
    json_path = os.path.join(a.workdir, 'feed.json')
    ab = atom_baseline(xml_path)
    jb = json_baseline(json_path)
    out = {
        'atom': compare(('atom', xml_path), ab, ATOM_READERS, only, a.examples),
        'json': compare(('json', json_path), jb, JSON_READERS, only, a.examples),
    }
    # the two outputs should say the same of every entry
    cross = collections.Counter()
    ex = collections.defaultdict(list)
    for x, j in zip(ab, jb):
        for f in ('id', 'title', 'link', 'published', 'updated', 'authors', 'categories',
                  'enclosures'):
            if x[f] != j[f]:
                cross[f] += 1
                if len(ex[f]) < a.examples:
                    ex[f].append({'id': x['id'], 'atom': str(x[f])[:200], 'json': str(j[f])[:200]})
    out['atom_vs_json'] = {'differ': dict(cross), 'examples': ex}
    with open(os.path.join(a.workdir, 'readers-report.json'), 'w') as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    print_table('Atom feed.xml', out['atom'], len(ab))
    print_table('JSON Feed feed.json', out['json'], len(jb))
    print('\natom vs json:', dict(cross) or 'same')


if __name__ == '__main__':
    main()
