#!/usr/bin/env python3
"""gen-feeds: writes a corpus of realistic feeds for bench/parse.sh.

RSS 2.0 with content:encoded (half), Atom 1.0 (three tenths), RSS 1.0
(the rest); 20-400 KB each; at least TOTAL_MB in all.  Deterministic.
Usage: gen-feeds.py OUTDIR [TOTAL_MB]; prints "files items bytes".
"""
import os
import random
import sys

WORDS = ("the of and model open source release weights data training "
         "inference China AI research paper benchmark GPU cluster token "
         "language vision agent safety policy government startup funding "
         "café naïve résumé 中文 данные").split()


def para(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def html_body(rng, size):
    parts = []
    while sum(len(p) for p in parts) < size:
        parts.append("<p>%s <a href=\"https://ex.org/%d\">link</a> "
                     "<em>%s</em></p>\n" % (para(rng, 40),
                                            rng.randrange(10**6),
                                            para(rng, 5)))
    return "".join(parts)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rss_item(rng, i):
    body = html_body(rng, rng.randrange(1500, 9000))
    return ("<item><title>%s</title><link>https://news.ex.org/%d</link>"
            "<guid isPermaLink=\"false\">id-%d</guid>"
            "<pubDate>Mon, %02d Jan 2024 10:%02d:00 +0000</pubDate>"
            "<dc:creator>Author %d</dc:creator><category>ai</category>"
            "<category>news</category><description>%s</description>"
            "<content:encoded><![CDATA[%s]]></content:encoded></item>\n" %
            (esc(para(rng, 8)), i, i, 1 + i % 28, i % 60, i % 7,
             esc(para(rng, 30)), body))


def atom_entry(rng, i):
    body = html_body(rng, rng.randrange(1500, 9000))
    return ("<entry><title>%s</title><id>tag:ex.org,2024:%d</id>"
            "<link rel=\"alternate\" href=\"/posts/%d\"/>"
            "<published>2024-01-%02dT10:00:00Z</published>"
            "<updated>2024-01-%02dT11:00:00+01:00</updated>"
            "<author><name>Writer %d</name></author>"
            "<category term=\"ml\"/><summary>%s</summary>"
            "<content type=\"html\">%s</content></entry>\n" %
            (esc(para(rng, 8)), i, i, 1 + i % 28, 1 + i % 28, i % 5,
             esc(para(rng, 30)), esc(body)))


def rdf_item(rng, i):
    return ("<item rdf:about=\"https://arxiv.ex.org/abs/%d\"><title>%s"
            "</title><link>https://arxiv.ex.org/abs/%d</link>"
            "<description>%s</description><dc:date>2024-01-%02d</dc:date>"
            "<dc:creator>A. Person, B. Person</dc:creator></item>\n" %
            (i, esc(para(rng, 12)), i, esc(para(rng, 250)), 1 + i % 28))


def feed(rng, kind, target):
    items, out, i = 0, [], 0
    size = 0
    while size < target:
        i += 1
        s = {"rss": rss_item, "atom": atom_entry, "rdf": rdf_item}[kind](
            rng, rng.randrange(10**7))
        out.append(s)
        size += len(s)
        items += 1
    body = "".join(out)
    if kind == "rss":
        doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
               'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
               '<title>Bench RSS</title><link>https://news.ex.org/</link>'
               '<description>d</description><language>en</language>\n'
               + body + '</channel></rss>\n')
    elif kind == "atom":
        doc = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http:'
               '//www.w3.org/2005/Atom" xml:base="https://blog.ex.org/">'
               '<title>Bench Atom</title><id>urn:bench</id>'
               '<updated>2024-01-01T00:00:00Z</updated>\n'
               + body + '</feed>\n')
    else:
        doc = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.'
               'org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/'
               '1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel '
               'rdf:about="https://arxiv.ex.org/"><title>Bench RDF</title>'
               '<link>https://arxiv.ex.org/</link><description>d'
               '</description></channel>\n' + body + '</rdf:RDF>\n')
    return doc.encode("utf-8"), items


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 110
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    nbytes = nitems = n = 0
    while nbytes < total * 1024 * 1024:
        r = rng.random()
        kind = "rss" if r < 0.5 else "atom" if r < 0.8 else "rdf"
        data, items = feed(rng, kind, rng.randrange(20, 400) * 1024)
        with open(os.path.join(out, "feed%04d.xml" % n), "wb") as f:
            f.write(data)
        nbytes += len(data)
        nitems += items
        n += 1
    print(n, nitems, nbytes)


main()
