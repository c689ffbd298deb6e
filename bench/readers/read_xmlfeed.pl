#!/usr/bin/perl
# read_xmlfeed.pl FILE: what Perl's XML::Feed (Debian's libxml-feed-perl,
# on XML::Atom and libxml2) reads in FILE, as one JSON array like
# read.mjs prints.
use strict;
use warnings;
use XML::Feed;

# XML::Atom hands back UTF-8 bytes unless told to decode
$XML::Atom::ForceUnicode = 1;
use JSON::PP;

my $feed = XML::Feed->parse($ARGV[0]) or die "read_xmlfeed: " . XML::Feed->errstr . "\n";
my @out;
for my $e ($feed->entries) {
	my $body = sub { my $c = shift; defined $c ? $c->body : undef };
	my @encl = map { $_->url } $e->enclosure;
	push @out, {
		id => $e->id, title => $e->title, link => $e->link,
		published => $e->issued ? $e->issued->epoch : undef,
		updated => $e->modified ? $e->modified->epoch : undef,
		authors => [ grep { defined } ($e->author) ],
		categories => [ $e->category ],
		enclosures => [ grep { defined } @encl ],
		summary => $body->($e->summary), content => $body->($e->content),
	};
}
print JSON::PP->new->utf8->canonical->encode(\@out);
