<?php
// read_simplepie.php FILE: what SimplePie (Debian's libphp-simplepie, the
// PHP reader behind many web feed readers) reads in FILE, as one JSON
// array like read.mjs prints.  Its HTML sanitizer is turned off: the
// comparison is of what it reads, not of what it would strip.
error_reporting(E_ERROR | E_PARSE);
require_once '/usr/share/php/simplepie/autoloader.php';

/*
 * PHP's XML parser (libxml2 without XML_PARSE_HUGE) stops at about 10 MB
 * ("No memory"): a larger document is read in parts of whole entries,
 * each part the document's head, its entries and the closing tag.
 */
function parts($xml) {
	$first = strpos($xml, '<entry');
	$end = strrpos($xml, '</feed>');
	if ($first === false || strlen($xml) < 8000000)
		return [$xml];
	$head = substr($xml, 0, $first);
	$body = substr($xml, $first, $end - $first);
	$out = [];
	while (strlen($body) > 0) {
		$cut = strlen($body) > 4000000 ?
		    strpos($body, "<entry", 4000000) : false;
		if ($cut === false)
			$cut = strlen($body);
		$out[] = $head . substr($body, 0, $cut) . "</feed>\n";
		$body = substr($body, $cut);
	}
	return $out;
}

function items($xml) {
	$feed = new SimplePie();
	$feed->set_raw_data($xml);
	$feed->enable_cache(false);
	$feed->enable_order_by_date(false);
	$feed->set_item_limit(0);
	$feed->set_stupidly_fast(true);
	if (!$feed->init()) {
		fwrite(STDERR, "read_simplepie: " . $feed->error() . "\n");
		exit(1);
	}
	return $feed->get_items(0, 0);
}

function tag($it, $name) {
	$t = $it->get_item_tags(SIMPLEPIE_NAMESPACE_ATOM_10, $name);
	return $t ? $t[0]['data'] : null;
}

$all = [];
foreach (parts(file_get_contents($argv[1])) as $part)
	foreach (items($part) as $it)
		$all[] = $it;
/*
 * SimplePie hands back every string HTML-escaped, ready to echo into a
 * page ("Cameras &amp; Photography"): decoded once here, as a page
 * would show it.  Its IRI code on PHP 8 writes an empty query and
 * fragment as "?#" (an enclosure "a.mp3?#", "v?version=3#", no link at
 * all "//?#"):
 * taken off too, and counted as SimplePie's in the note.
 */
function txt($s) {
	return $s === null ? null : html_entity_decode($s, ENT_QUOTES | ENT_HTML5, 'UTF-8');
}

function url($s) {
	if ($s === null || $s === '//?#')
		return null;
	if (substr($s, -1) === '#')
		$s = substr($s, 0, -1);
	if (substr($s, -1) === '?')
		$s = substr($s, 0, -1);
	return txt($s);
}

$out = [];
foreach ($all as $it) {
	$authors = [];
	foreach ((array)$it->get_authors() as $a)
		if ($a !== null)
			$authors[] = txt($a->get_name());
	$cats = [];
	foreach ((array)$it->get_categories() as $c)
		if ($c !== null)
			$cats[] = txt($c->get_term());
	$encl = [];
	foreach ((array)$it->get_enclosures() as $e)
		if ($e !== null && url($e->get_link()) !== null)
			$encl[] = url($e->get_link());
	$out[] = [
		'id' => txt($it->get_id()), 'title' => txt($it->get_title()),
		'link' => url($it->get_permalink()),
		/* the date text: SimplePie 1.3.1's date parser dies on PHP 8
		 * (implode() with its arguments the old way round) */
		'published' => tag($it, 'published'), 'updated' => tag($it, 'updated'),
		'authors' => $authors, 'categories' => $cats, 'enclosures' => $encl,
		'summary' => $it->get_description(true), 'content' => $it->get_content(true),
	];
}
echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
