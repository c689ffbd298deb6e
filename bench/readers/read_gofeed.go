// read_gofeed FILE: what gofeed (Debian's golang-github-mmcdole-gofeed-dev,
// the universal parser that Go feed readers use) reads in FILE, as one JSON
// array like read.mjs prints.  Built by readers.sh with GO111MODULE=off
// against Debian's /usr/share/gocode.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/mmcdole/gofeed"
)

type item struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Link       string   `json:"link"`
	Published  string   `json:"published,omitempty"`
	Updated    string   `json:"updated,omitempty"`
	Authors    []string `json:"authors"`
	Categories []string `json:"categories"`
	Enclosures []string `json:"enclosures"`
	Summary    string   `json:"summary"`
	Content    string   `json:"content"`
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "read_gofeed:", err)
		os.Exit(2)
	}
	feed, err := gofeed.NewParser().Parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read_gofeed:", err)
		os.Exit(1)
	}
	out := make([]item, 0, len(feed.Items))
	for _, it := range feed.Items {
		o := item{ID: it.GUID, Title: it.Title, Link: it.Link,
			Published: stamp(it.PublishedParsed), Updated: stamp(it.UpdatedParsed),
			Categories: it.Categories, Summary: it.Description, Content: it.Content,
			Authors: []string{}, Enclosures: []string{}}
		for _, a := range it.Authors {
			o.Authors = append(o.Authors, a.Name)
		}
		if len(it.Authors) == 0 && it.Author != nil {
			o.Authors = append(o.Authors, it.Author.Name)
		}
		for _, e := range it.Enclosures {
			o.Enclosures = append(o.Enclosures, e.URL)
		}
		out = append(out, o)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
