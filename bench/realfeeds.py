#!/usr/bin/env python3
"""realfeeds: the bench corpus, replicated from the real captures.

Usage: realfeeds.py CORPUS_DIR OUT_DIR N [--stats]

Writes OUT_DIR/feed-I.xml (I = 0 .. N-1).  Feed I is a byte-for-byte
copy of one real capture of CORPUS_DIR (MANIFEST.tsv rows noted "real
capture:", RSS, Atom or JSON Feed, well-formed, not gzip), taken in a
fixed shuffled order so that any N >= 186 uses every capture, with
only its identity made fresh:

  - every absolute URL's host gets the prefix "fI-" ("https://fI-host/"),
    so links, ids that are URLs, and the canonical links stories are keyed
    by are all new, in markup too;
  - <guid>, <id> and JSON "id" values that are not URLs get the prefix
    "fI-".

Everything else (sizes, markup, encodings, languages, vocabulary, dates)
is the publisher's.  Copies of one capture share their text, so the
distinct words do not grow past the ~190 captures' own.

A copy past the first (feed I >= the number of captures) also gets its
items' titles reworded: each word (each character, in CJK) of a title
is replaced through a permutation, its own, of the words of the
capture's item titles.  Story grouping joins items by their titles, and
with every headline written out 54 times (10,000 feeds) 87% of items
joined a story, where the captures alone join 7% (5,251 items in 4,883
stories): the copies were one story told by 54 outlets, not 54 outlets.
Reworded, a copy's headlines keep their language, length and words and
join one another only as the capture's own do.

Prints one line of corpus statistics (with --stats, the line only):
  feeds=N items=... bytes=... html_per_item=... words=... scripts=...
html_per_item: mean bytes of the item's summary/content fields (after
XML unescaping: the HTML a reader gets); words: distinct lowercased
word tokens in that text (a CJK run counts as one word per character);
scripts: share of feeds by the script of most of their letters.
"""
import email.utils
import html
import json
import os
import random
import re
import sys
import time

FORMATS = ("rss090", "rss091", "rss092", "rss10", "rss20", "atom03",
           "atom10", "json10", "json11")

URL_HOST = re.compile(rb"(https?://)(?=[A-Za-z0-9])")
XML_ID = re.compile(rb"(<(?:guid|id)\b[^>]*>\s*(?:<!\[CDATA\[)?\s*)"
                    rb"(?!\s|<|https?://|urn:|tag:)")
XML_URN = re.compile(rb"(<(?:guid|id)\b[^>]*>\s*(?:<!\[CDATA\[)?\s*)"
                     rb"((?:urn|tag):)")
JSON_ID = re.compile(rb'("id"\s*:\s*")(?!https?://)')
# Namespace names and the JSON Feed version are identifiers, not links.
KEEP = re.compile(rb"""xmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')|"""
                  rb'"version"\s*:\s*"[^"]*"')
JSON_NUM_ID = re.compile(rb'("id"\s*:\s*)(\d+)')


def captures(corpus):
    rows = []
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 7 or not c[6].startswith("real capture"):
                continue
            if c[5] not in FORMATS or "NOT well-formed" in c[6]:
                continue
            if "truncated" in c[6] or "UTF-16" in c[6]:
                continue
            m = re.search(r"\[~?(\d+) items", c[6])
            if m is None or int(m.group(1)) < 1:
                continue
            rows.append(c[0])
    rows.sort()
    random.Random(15).shuffle(rows)
    return rows


def fresh(data, i, tag=None):
    """data with its identity made fresh: tag (default "fI-") prefixed
    to every absolute URL's host and to ids that are not URLs."""
    tag = tag or b"f%d-" % i
    parts, pos = [], 0
    for m in KEEP.finditer(data):
        parts.append(URL_HOST.sub(lambda u: u.group(1) + tag,
                                  data[pos:m.start()]))
        parts.append(m.group(0))
        pos = m.end()
    parts.append(URL_HOST.sub(lambda u: u.group(1) + tag, data[pos:]))
    data = b"".join(parts)
    data = XML_URN.sub(lambda m: m.group(1) + m.group(2) + tag, data)
    data = XML_ID.sub(lambda m: m.group(1) + tag, data)
    data = JSON_ID.sub(lambda m: m.group(1) + tag, data)
    data = JSON_NUM_ID.sub(lambda m: m.group(1) + b'"' + tag +
                           m.group(2) + b'"', data)
    return data


ITEM = re.compile(r"<(item|entry)\b.*?</\1\s*>", re.S)
FIELD = re.compile(r"<(description|content:encoded|content|summary|"
                   r"subtitle)\b[^>]*?(?:/>|>(.*?)</\1\s*>)", re.S)
CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
TAGS = re.compile(r"<[^>]*>")
WORD = re.compile(r"[^\W\d_]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def decode(data):
    m = re.match(rb"\s*(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([^\"']+)",
                 data)
    enc = m.group(1).decode("ascii", "replace") if m else "utf-8"
    try:
        return data.decode(enc, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def field_text(raw):
    """The HTML a field carries: CDATA as is, else XML-unescaped."""
    out = []
    pos = 0
    for m in CDATA.finditer(raw):
        out.append(html.unescape(raw[pos:m.start()]))
        out.append(m.group(1))
        pos = m.end()
    out.append(html.unescape(raw[pos:]))
    return "".join(out)


def json_items(text):
    try:
        doc = json.loads(text)
    except ValueError:
        return []
    out = []
    for it in doc.get("items") or []:
        out.append("".join(str(it.get(k) or "") for k in
                           ("summary", "content_html", "content_text")))
    return out


def script_of(text):
    counts = {"latin": 0, "latin-accented": 0, "cjk": 0, "cyrillic": 0,
              "arabic": 0, "other": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if o < 128:
            counts["latin"] += 1
        elif o < 0x250 or 0x1e00 <= o < 0x1f00:
            counts["latin-accented"] += 1
        elif 0x400 <= o < 0x530:
            counts["cyrillic"] += 1
        elif 0x600 <= o < 0x700 or 0xfb50 <= o < 0xfe00:
            counts["arabic"] += 1
        elif CJK.match(ch):
            counts["cjk"] += 1
        else:
            counts["other"] += 1
    nonascii = sum(v for k, v in counts.items() if k != "latin")
    if counts["latin"] == 0 and nonascii == 0:
        return "latin"
    # Accented Latin: a European language when >= 1% of letters are.
    best = max((k for k in counts if k not in ("latin", "latin-accented")),
               key=lambda k: counts[k])
    if counts[best] * 5 >= counts["latin"] + counts["latin-accented"]:
        return best
    if counts["latin-accented"] * 100 >= counts["latin"]:
        return "latin-accented"
    return "latin"


def template_stats(data):
    text = decode(data)
    if text.lstrip().startswith("{"):
        bodies = json_items(text)
    else:
        bodies = []
        for m in ITEM.finditer(text):
            bodies.append("".join(field_text(f.group(2) or "")
                                  for f in FIELD.finditer(m.group(0))))
    words = set()
    for b in bodies:
        t = TAGS.sub(" ", b).lower()
        for w in WORD.findall(t):
            if CJK.search(w):
                words.update(c for c in w if CJK.match(c))
                rest = CJK.sub(" ", w).split()
                words.update(rest)
            else:
                words.add(w)
    plain = TAGS.sub(" ", " ".join(bodies))
    return {"items": len(bodies), "html": sum(len(b.encode("utf-8"))
                                              for b in bodies),
            "words": words, "script": script_of(plain)}


# ---- churn: how a feed changes between two polls (bench/soak.py) ----
#
# A real feed that changes gains items at the top (new ids and links,
# a fresh date), loses as many at the bottom, and sometimes edits an
# item in place (same id, new text).  New items are real items of other
# captures of the same format, namespace and encoding (whose prefixes
# the feed declares), with their identity made fresh by fresh().

ITEM_B = re.compile(rb"<(item|entry)\b.*?</\1\s*>", re.S)
TITLE_B = re.compile(rb"(<title\b[^>]*>)(.*?)(</title\s*>)", re.S)
ELEM_PREFIX_B = re.compile(rb"</?([A-Za-z_][\w.-]*):")
ATTR_PREFIX_B = re.compile(rb"\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
XMLNS_B = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
DEFAULT_NS_B = re.compile(rb"\sxmlns\s*=\s*[\"']([^\"']*)")
ENC_B = re.compile(rb"\s*(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([^\"']+)")
XML_DATES = (b"pubDate", b"dc:date", b"published", b"updated", b"issued",
             b"modified")


def is_json(data):
    return data.lstrip()[:1] == b"{"


def xml_family(data):
    """(encoding, default namespace): items move only within one."""
    m = ENC_B.match(data)
    enc = m.group(1).decode("ascii", "replace").lower() if m else "utf-8"
    m = DEFAULT_NS_B.search(data[:4096])
    return enc, m.group(1) if m else b""


TAG_B = re.compile(rb"<(/?)([A-Za-z_][\w:.-]*)[^>]*?(/?)>")


def ancestors_ns(head):
    """Prefixes declared on the elements still open at the end of head
    (the first item's ancestors): the ones its items may use."""
    stack = []
    for m in TAG_B.finditer(head):
        if m.group(1):
            while stack and stack.pop()[0] != m.group(2):
                pass
        elif not m.group(3):
            stack.append((m.group(2), m.group(0)))
    return frozenset(p for _, t in stack for p in XMLNS_B.findall(t))


def item_prefixes(item):
    used = set(ELEM_PREFIX_B.findall(item)) | set(ATTR_PREFIX_B.findall(item))
    # a local xmlns:p may cover only one element: not counted
    return frozenset(used - {b"xml", b"xmlns"})


class Donors:
    """Every capture's items, grouped so a feed takes only items it can
    carry unchanged: XML items by (tag, encoding, default namespace),
    JSON Feed items as dicts."""

    def __init__(self, raw):
        self.xml = {}
        self.json = []
        self.cache = {}
        for k, data in enumerate(raw):
            if is_json(data):
                try:
                    doc = json.loads(data)
                except ValueError:
                    continue
                self.json += [(it, k) for it in doc.get("items") or []
                              if isinstance(it, dict)]
                continue
            fam = xml_family(data)
            for m in ITEM_B.finditer(data):
                key = (m.group(1),) + fam
                self.xml.setdefault(key, []).append(
                    (m.group(0), item_prefixes(m.group(0)), k))

    def for_feed(self, data, k):
        """Items feed data (a copy of capture k) can take: other
        captures' first, its own capture's when there are none."""
        m = ITEM_B.search(data)
        if m is None:
            return []
        declared = ancestors_ns(data[:m.start()])
        key = (m.group(1),) + xml_family(data)
        if (key, declared, k) not in self.cache:
            pool = self.xml.get(key, [])
            ok = [it for it, pre, src in pool if pre <= declared]
            other = [it for it, pre, src in pool if pre <= declared and
                     src != k]
            self.cache[(key, declared, k)] = other or ok
        return self.cache[(key, declared, k)]


def _redate(item, now):
    """item's first date element set to now, in its own style."""
    for tag in XML_DATES:
        pat = re.compile(rb"(<" + tag + rb"\b[^>]*>)\s*[^<]*?\s*(</" + tag +
                         rb"\s*>)")
        m = pat.search(item)
        if m is None:
            continue
        if tag == b"pubDate":
            when = email.utils.formatdate(now, usegmt=True)
        else:
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return item[:m.start()] + m.group(1) + when.encode() + \
            m.group(2) + item[m.end():]
    return item


def _retitle(item, donor):
    """item with donor's title text (an edit: same id, new text)."""
    a, b = TITLE_B.search(item), TITLE_B.search(donor)
    if a is None or b is None or a.group(2) == b.group(2):
        return None
    return item[:a.start(2)] + b.group(2) + item[a.end(2):]


def churn_xml(data, donors, tag, now, rng, add, edit):
    items = list(ITEM_B.finditer(data))
    if not items or not donors:
        return data, 0, 0
    add = min(add, len(items))
    new = [_redate(fresh(rng.choice(donors), 0, tag + b"%d-" % j), now)
           for j in range(add)]
    kept = [m.group(0) for m in items[:len(items) - add]]
    edited = 0
    for j in rng.sample(range(len(kept)), min(edit, len(kept))):
        e = _retitle(kept[j], rng.choice(donors))
        if e is not None:
            kept[j], edited = e, edited + 1
    # items sit between the first's start and the last's end; what lies
    # between them (whitespace, rarely markup) is kept once, before
    body = b"\n".join(new + kept)
    return data[:items[0].start()] + body + data[items[-1].end():], add, edited


def churn_json(data, donors, tag, now, rng, add, edit):
    try:
        doc = json.loads(data)
    except ValueError:
        return data, 0, 0
    items = doc.get("items") or []
    if not items or not donors:
        return data, 0, 0
    add = min(add, len(items))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    new = []
    for j in range(add):
        it = json.loads(fresh(json.dumps(rng.choice(donors)[0]).encode(), 0,
                              tag + b"%d-" % j))
        it["date_published"] = stamp
        it.pop("date_modified", None)
        new.append(it)
    kept = items[:len(items) - add]
    edited = 0
    for j in rng.sample(range(len(kept)), min(edit, len(kept))):
        t = rng.choice(donors)[0].get("title")
        if t and t != kept[j].get("title"):
            kept[j]["title"], edited = t, edited + 1
    doc["items"] = new + kept
    return json.dumps(doc, ensure_ascii=False).encode(), add, edited


def churn(data, k, donors, tag, now, rng, add, edit):
    """One change of feed data (a copy of capture k): add new items at
    the top, as many off the bottom, edit some in place.  Returns the
    new bytes, items added and items edited."""
    if is_json(data):
        return churn_json(data, donors.json, tag, now, rng, add, edit)
    return churn_xml(data, donors.for_feed(data, k), tag, now, rng, add,
                     edit)


def count_items(data):
    if is_json(data):
        try:
            return len(json.loads(data).get("items") or [])
        except ValueError:
            return 0
    return sum(1 for _ in ITEM_B.finditer(data))


CJK_SPLIT = re.compile(r"([\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])")
TITLE_WORD = re.compile(r"<!\[CDATA\[|\]\]>|&#?\w+;|<[^>]*>|([^\W\d_]+)")


def title_words(text):
    """The words of a title's text, a CJK run as its characters."""
    out = []
    for m in TITLE_WORD.finditer(text):
        w = m.group(1)
        if w is None:
            continue
        if CJK.search(w):
            out += [c for c in w if CJK.match(c)]
            out += CJK.sub(" ", w).split()
        else:
            out.append(w.lower())
    return out


def reword_text(text, table):
    """text with each word (each CJK character) put through table; markup,
    references and CDATA marks kept."""
    def one(w):
        v = table.get(w.lower(), w)
        return v.capitalize() if w[:1].isupper() else v

    def sub(m):
        w = m.group(1)
        if w is None:
            return m.group(0)
        if not CJK.search(w):
            return one(w)
        return "".join(table.get(p, p) if CJK.match(p) else one(p)
                       for p in CJK_SPLIT.split(w) if p)
    return TITLE_WORD.sub(sub, text)


def doc_encoding(data):
    m = ENC_B.match(data)
    return m.group(1).decode("ascii", "replace") if m else "utf-8"


def reword_titles(data, k, r):
    """Copy r (>= 1) of capture k with its items' titles reworded."""
    rng = random.Random(k * 7919 + r)
    if is_json(data):
        try:
            doc = json.loads(data)
        except ValueError:
            return data
        items = [it for it in doc.get("items") or [] if isinstance(it, dict)
                 and isinstance(it.get("title"), str)]
        pool = sorted({w for it in items for w in title_words(it["title"])})
        table = dict(zip(pool, rng.sample(pool, len(pool))))
        for it in items:
            it["title"] = reword_text(it["title"], table)
        return json.dumps(doc, ensure_ascii=False).encode()
    enc = doc_encoding(data)
    try:
        "".encode(enc)
    except LookupError:
        enc = "utf-8"
    spans = []
    for it in ITEM_B.finditer(data):
        t = TITLE_B.search(it.group(0))
        if t is not None:
            spans.append((it.start() + t.start(2), it.start() + t.end(2)))
    texts = [data[a:b].decode(enc, "replace") for a, b in spans]
    pool = sorted({w for t in texts for w in title_words(t)})
    table = dict(zip(pool, rng.sample(pool, len(pool))))
    out, pos = [], 0
    for (a, b), t in zip(spans, texts):
        out += [data[pos:a], reword_text(t, table).encode(
            enc, "xmlcharrefreplace")]
        pos = b
    out.append(data[pos:])
    return b"".join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    only_stats = "--stats" in sys.argv
    if len(args) != 3:
        sys.exit("usage: realfeeds.py CORPUS_DIR OUT_DIR N [--stats]")
    corpus, out, n = args[0], args[1], int(args[2])
    tpl = captures(corpus)
    raw = [open(os.path.join(corpus, f), "rb").read() for f in tpl]
    st = [template_stats(r) for r in raw]
    if not only_stats:
        os.makedirs(out, exist_ok=True)
    feeds = items = nbytes = html_b = 0
    words = set()
    scripts = {}
    for i in range(n):
        k = i % len(tpl)
        if not only_stats:
            data = fresh(raw[k], i)
            if i >= len(tpl):
                data = reword_titles(data, k, i // len(tpl))
            with open(os.path.join(out, "feed-%d.xml" % i), "wb") as f:
                f.write(data)
            nbytes += len(data)
        else:
            nbytes += len(raw[k]) + 4 * raw[k].count(b"://")
        feeds += 1
        items += st[k]["items"]
        html_b += st[k]["html"]
        words |= st[k]["words"]
        scripts[st[k]["script"]] = scripts.get(st[k]["script"], 0) + 1
    mix = ",".join("%s:%.0f%%" % (s, 100.0 * c / feeds) for s, c in
                   sorted(scripts.items(), key=lambda x: -x[1]))
    print("feeds=%d items=%d bytes=%d html_per_item=%d words=%d scripts=%s"
          % (feeds, items, nbytes, html_b // max(items, 1), len(words), mix))


if __name__ == "__main__":
    main()
