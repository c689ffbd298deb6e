# read_ruby.rb FILE: what Ruby's rss library (the rss gem bundled with
# Debian's ruby) reads in an Atom FILE, as one JSON array like read.mjs
# prints.
require 'rss'
require 'json'

feed = RSS::Parser.parse(File.read(ARGV[0], encoding: 'UTF-8'), true)
text = ->(x) { x&.content }
out = feed.entries.map do |e|
  alt = e.links.find { |l| (l.rel || 'alternate') == 'alternate' }
  {
    id: text.(e.id), title: text.(e.title), link: alt&.href,
    published: e.published&.content&.utc&.iso8601,
    updated: e.updated&.content&.utc&.iso8601,
    authors: e.authors.map { |a| text.(a.name) },
    categories: e.categories.map(&:term),
    enclosures: e.links.select { |l| l.rel == 'enclosure' }.map(&:href),
    summary: text.(e.summary), content: text.(e.content),
  }
end
print JSON.generate(out)
