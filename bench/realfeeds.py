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

Prints one line of corpus statistics (with --stats, the line only):
  feeds=N items=... bytes=... html_per_item=... words=... scripts=...
html_per_item: mean bytes of the item's summary/content fields (after
XML unescaping: the HTML a reader gets); words: distinct lowercased
word tokens in that text (a CJK run counts as one word per character);
scripts: share of feeds by the script of most of their letters.
"""
import html
import os
import random
import re
import sys

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


def fresh(data, i):
    tag = b"f%d-" % i
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
    import json
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
