#!/usr/bin/env python3
"""gen-feeds: writes a corpus of realistic feeds for bench/parse.sh.

The mix follows what was measured on the 197 real captures (RSS/Atom
XML, gzip and JSON left out) of /work/shared/corpus, 14.5 MB:

  formats, by bytes      RSS 2.0/0.9x 70%, Atom 25%, RSS 1.0 (RDF) 5%
  script, by files       English ASCII with typographic punctuation
                         (’ “ ” — … as UTF-8) 53% (76% of bytes);
                         plain ASCII 32% (6%); accented European 13%
                         (18%, 2.8% non-ASCII bytes); CJK, Cyrillic,
                         Urdu 5% (a small share of bytes, 10-70%
                         non-ASCII bytes each)
  non-ASCII bytes        0.9% of all bytes; per file median 0.14%,
                         p90 1.4%, p95 4.7%
  legacy charsets        9% of files (ISO-8859-1, windows-125x, gb2312),
                         2.3% of bytes
  markup                 CDATA 32% of bytes; 3.8 "&lt;" per KB (escaped
                         HTML in description / Atom type="html");
                         1.5 numeric character references and 1.2
                         named typographic entities per KB
  sizes                  2.7 KB per item on average; file median 28 KB,
                         p90 167 KB, mean 74 KB

This generator: formats 70/25/5 by chance per file; English 82% of files
(62% of them with typographic punctuation as UTF-8, 38% as character
references, hence plain ASCII), accented European 13% (a fifth of those
declared and written ISO-8859-1), CJK 3%, Cyrillic 2% (small feeds);
items 3-100 per feed; RSS full-content feeds (60%) carry
content:encoded in CDATA, the others escaped HTML in description; Atom
uses type="html" (escaped).  On 15 MB it gives 2.2% non-ASCII bytes
(per file median 0.5%), CDATA 38% of bytes, 3.4 "&lt;" per KB, 2.9 KB
per item, file median 39 KB, mean 60 KB: a little heavier in non-ASCII
than the real mix, never lighter.

Deterministic.  Usage: gen-feeds.py OUTDIR [TOTAL_MB]; prints
"files items bytes".
"""
import math
import os
import random
import sys

EN = ("the of and to a in is for that on with as it by this from at are "
      "be was have an not or has will can more new but their its which "
      "model models open source release weights data training inference "
      "AI research paper benchmark GPU cluster tokens language vision "
      "agent agents safety policy government startup funding compute chip "
      "chips company companies said according week year users developers "
      "code API performance results team researchers system systems "
      "latency throughput kernel compiler database browser cloud "
      "security update version support feature features launch market "
      "billion million percent report reports announced customers "
      "enterprise open-weight reasoning evaluation alignment dataset "
      "datasets fine-tuning context window multimodal robotics").split()
EN_TYPO = ("it’s don’t can’t company’s OpenAI’s Google’s “open” “safe” "
           "model’s isn’t we’re they’re").split()
EU = ("le la les des une est dans pour avec sur modèle données réseau "
      "sécurité société été également déjà première année équipe "
      "der die das und ist für mit über Größe Lösung Übersicht Daten "
      "Modell Forschung Unternehmen während künstliche Intelligenz "
      "el los las por para con más según también información "
      "compañía inteligencia artificial investigación señal").split()
CJK = ("人工智能 模型 开源 发布 数据 训练 推理 研究 论文 基准 公司 "
       "芯片 算力 政策 安全 语言 视觉 智能体 用户 开发者 性能 "
       "大規模 言語 モデル 公開 研究者 発表 企業 技術").split()
CYR = ("модель данные обучение исследование компания открытый выпуск "
       "безопасность язык пользователи разработчики производительность "
       "новый год сообщила искусственный интеллект").split()


def words(rng, script, n):
    out = []
    for _ in range(n):
        if script == "cjk":
            w = rng.choice(CJK) if rng.random() < 0.6 else rng.choice(EN)
        elif script == "cyr":
            w = rng.choice(CYR) if rng.random() < 0.6 else rng.choice(EN)
        elif script == "eu":
            w = rng.choice(EU) if rng.random() < 0.25 else rng.choice(EN)
        else:
            w = rng.choice(EN)
        out.append(w)
    sep = "" if script == "cjk" else " "
    return sep.join(out)


def sentence(rng, script):
    s = words(rng, script, rng.randrange(8, 26))
    if script == "typo" and rng.random() < 0.13:
        s += " " + rng.choice(EN_TYPO)
    s = s[0].upper() + s[1:]
    if script == "typo":
        r = rng.random()
        if r < 0.05:
            s += " — " + words(rng, script, 4)
        elif r < 0.08:
            s = "“" + s + "”"
        elif r < 0.10:
            s += "…"
    return s + ("。" if script == "cjk" else ".")


def text(rng, script, nbytes):
    out, size = [], 0
    while size < nbytes:
        s = sentence(rng, script)
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def html(rng, script, nbytes, ents):
    """HTML as publishers write it; ents: typographic entities as
    character references (as in the source) rather than characters."""
    parts, size = [], 0
    while size < nbytes:
        r = rng.random()
        t = text(rng, script, rng.randrange(150, 700))
        if ents:
            t = charrefs(t).replace(" the ", " the&nbsp;", 1)
        if r < 0.15:
            p = ("<p>%s <a href=\"https://example.com/%d?utm_source=rss&amp;"
                 "utm_medium=feed\">%s</a>.</p>" %
                 (t, rng.randrange(10**6), words(rng, script, 3)))
        elif r < 0.22:
            p = ("<figure><img src=\"https://cdn.example.com/%d.jpg\" "
                 "alt=\"%s\" width=\"800\" height=\"450\" /></figure>" %
                 (rng.randrange(10**6), words(rng, script, 4)))
        elif r < 0.28:
            p = ("<ul><li>%s</li><li>%s</li></ul>" %
                 (words(rng, script, 8), words(rng, script, 10)))
        elif r < 0.32:
            p = "<pre><code>x = model.generate(prompt, max_tokens=%d)" \
                "</code></pre>" % rng.randrange(512)
        else:
            p = "<p>%s <strong>%s</strong></p>" % (t, words(rng, script, 2))
        parts.append(p + "\n")
        size += len(p) + 1
    return "".join(parts)


TYPO_REFS = {"’": "&#8217;", "“": "&#8220;", "”": "&#8221;",
             "—": "&#8212;", "…": "&#8230;"}


def charrefs(s):
    for c, ref in TYPO_REFS.items():
        s = s.replace(c, ref)
    return s


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def title(rng, st):
    t = esc(sentence(rng, st["script"]))
    return charrefs(t) if st["ents"] else t


def body_size(rng):
    # lognormal: median ~1.1 KB, mean ~1.6 KB of body per item
    return int(min(40000, max(200, rng.lognormvariate(math.log(1100), 0.9))))


def rss_item(rng, i, st):
    script, ents, full = st["script"], st["ents"], st["full"]
    day = 1 + i % 28
    link = "https://%s/%d/%02d/%s-%d/" % (st["host"], 2024, 1 + i % 12,
                                         "post", i)
    summ = html(rng, script, rng.randrange(150, 500), ents)
    s = ["<item>\n\t<title>%s</title>\n\t<link>%s</link>\n" %
         (title(rng, st), link)]
    if full:
        s.append("\t<comments>%s#comments</comments>\n" % link)
    s.append("\t<dc:creator><![CDATA[%s]]></dc:creator>\n"
             "\t<pubDate>%s, %02d Jan 2024 %02d:%02d:00 +0000</pubDate>\n" %
             (words(rng, script, 2), ("Mon", "Tue", "Wed", "Thu", "Fri",
                                      "Sat", "Sun")[day % 7], day, i % 24,
              i % 60))
    for _ in range(rng.randrange(0, 5)):
        s.append("\t<category><![CDATA[%s]]></category>\n" %
                 words(rng, script, 1))
    s.append("\t<guid isPermaLink=\"%s\">%s</guid>\n" %
             (("true", link) if i % 3 else ("false", "%s?p=%d" %
                                             (st["host"], i))))
    if full:
        s.append("\t<description><![CDATA[%s]]></description>\n"
                 "\t<content:encoded><![CDATA[%s]]></content:encoded>\n"
                 "\t<wfw:commentRss>%sfeed/</wfw:commentRss>\n"
                 "\t<slash:comments>%d</slash:comments>\n" %
                 (summ, html(rng, script, body_size(rng), ents), link,
                  i % 40))
    else:
        s.append("\t<description>%s</description>\n" %
                 esc(html(rng, script, body_size(rng), ents)))
    if rng.random() < 0.2:
        s.append("\t<enclosure url=\"https://cdn.example.com/%d.mp3\" "
                 "length=\"%d\" type=\"audio/mpeg\" />\n" %
                 (i, rng.randrange(10**8)))
    s.append("</item>\n")
    return "".join(s)


def atom_entry(rng, i, st):
    script, ents = st["script"], st["ents"]
    day = 1 + i % 28
    s = ["<entry><title type=\"html\">%s</title>"
         "<link href=\"https://%s/posts/%d\" rel=\"alternate\"/>"
         "<published>2024-01-%02dT10:%02d:00+01:00</published>"
         "<updated>2024-01-%02dT11:00:00Z</updated>"
         "<author><name>%s</name></author>"
         "<id>tag:%s,2024-01-%02d:/posts/%d</id>" %
         (title(rng, st), st["host"], i, day, i % 60, day,
          words(rng, script, 2), st["host"], day, i)]
    for _ in range(rng.randrange(0, 4)):
        s.append("<category term=\"%s\"/>" % words(rng, script, 1))
    s.append("<summary type=\"html\">%s</summary>" %
             esc(html(rng, script, rng.randrange(150, 500), ents)))
    if st["full"]:
        s.append("<content type=\"html\">%s</content>" %
                 esc(html(rng, script, body_size(rng), ents)))
    s.append("</entry>\n")
    return "".join(s)


def rdf_item(rng, i, st):
    return ("<item rdf:about=\"https://%s/story/%d\">\n<title>%s</title>\n"
            "<link>https://%s/story/%d</link>\n<description>%s</description>"
            "\n<dc:creator>%s</dc:creator>\n<dc:date>2024-01-%02dT08:00:00"
            "+00:00</dc:date>\n<dc:subject>%s</dc:subject>\n</item>\n" %
            (st["host"], i, title(rng, st), st["host"], i,
             esc(html(rng, st["script"], body_size(rng), st["ents"])),
             words(rng, st["script"], 2), 1 + i % 28,
             words(rng, st["script"], 1)))


RSS_HEAD = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/'
    'content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc='
    '"http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005'
    '/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>\n'
    '\t<title>%(title)s</title>\n\t<atom:link href="https://%(host)s/feed/"'
    ' rel="self" type="application/rss+xml" />\n\t<link>https://%(host)s'
    '</link>\n\t<description>%(title)s</description>\n\t<lastBuildDate>'
    'Wed, 31 Jan 2024 17:29:59 +0000</lastBuildDate>\n\t<language>en-US'
    '</language>\n\t<sy:updatePeriod>hourly</sy:updatePeriod>\n'
    '\t<sy:updateFrequency>1</sy:updateFrequency>\n\t<generator>'
    'https://wordpress.org/?v=6.4.2</generator>\n')
ATOM_HEAD = (
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>'
    '%(title)s</title><link href="https://%(host)s/" rel="alternate"/>'
    '<link href="https://%(host)s/atom.xml" rel="self"/><id>https://'
    '%(host)s/</id><updated>2024-01-31T17:15:00+01:00</updated>\n')
RDF_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/'
    'elements/1.1/" xmlns:syn="http://purl.org/rss/1.0/modules/'
    'syndication/">\n<channel rdf:about="https://%(host)s/">\n<title>'
    '%(title)s</title>\n<link>https://%(host)s/</link>\n<description>'
    '%(title)s</description>\n<items><rdf:Seq><rdf:li rdf:resource='
    '"https://%(host)s/"/></rdf:Seq></items>\n</channel>\n')


def feed(rng, n):
    r = rng.random()
    kind = "rss" if r < 0.70 else "atom" if r < 0.95 else "rdf"
    r = rng.random()
    script = ("cjk" if r < 0.03 else "cyr" if r < 0.05 else
              "eu" if r < 0.18 else "typo")
    # English feeds write typographic punctuation as UTF-8 characters
    # (62%) or as character references (38%: the plain ASCII files).
    st = {"script": script, "host": "site%d.example.org" % n,
          "ents": script == "typo" and rng.random() < 0.38,
          "full": rng.random() < 0.6,
          "title": "Feed %d" % n}
    # Legacy single-byte charsets: European feeds, now and then.
    latin1 = script == "eu" and rng.random() < 0.2
    nitems = rng.choice((3, 5, 8, 10, 10, 15, 20, 20, 25, 30, 50, 100))
    if script in ("cjk", "cyr"):
        nitems = rng.choice((5, 5, 10))	# small feeds, as in the corpus
    make = {"rss": rss_item, "atom": atom_entry, "rdf": rdf_item}[kind]
    body = "".join(make(rng, rng.randrange(10**6), st)
                   for _ in range(nitems))
    head = {"rss": RSS_HEAD, "atom": ATOM_HEAD, "rdf": RDF_HEAD}[kind] % st
    tail = {"rss": "</channel>\n</rss>\n", "atom": "</feed>\n",
            "rdf": "</rdf:RDF>\n"}[kind]
    decl = '<?xml version="1.0" encoding="%s"?>\n' % (
        "ISO-8859-1" if latin1 else "UTF-8")
    doc = decl + head + body + tail
    if latin1:
        return doc.encode("iso-8859-1", "xmlcharrefreplace"), nitems
    return doc.encode("utf-8"), nitems


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 110
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    nbytes = nitems = n = 0
    while nbytes < total * 1024 * 1024:
        data, items = feed(rng, n)
        with open(os.path.join(out, "feed%04d.xml" % n), "wb") as f:
            f.write(data)
        nbytes += len(data)
        nitems += items
        n += 1
    print(n, nitems, nbytes)


main()
