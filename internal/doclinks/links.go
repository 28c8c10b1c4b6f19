package doclinks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Link is one link of a Markdown file.
type Link struct {
	// File is the Markdown file, relative to the repository root.
	File string
	// Line is where the link is, from 1.
	Line int
	// Target is what the link points to, as written.
	Target string
}

var (
	// inlineLink is [text](target) or ![alt](target), with an optional title.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	// refDefinition is [label]: target.
	refDefinition = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	codeSpan      = regexp.MustCompile("`[^`]*`")
	headingLine   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	// htmlAnchor is an explicit anchor: <a name="x"> or id="x".
	htmlAnchor = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
	linkMarkup = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	htmlTag    = regexp.MustCompile(`<[^>]+>`)
)

// Links returns the links of a Markdown text, outside code blocks and code
// spans.
func Links(file, text string) []Link {
	var out []Link
	for i, line := range prose(text) {
		if line == "" {
			continue
		}
		if m := refDefinition.FindStringSubmatch(line); m != nil {
			out = append(out, Link{File: file, Line: i + 1, Target: m[1]})
			continue
		}
		for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			out = append(out, Link{File: file, Line: i + 1, Target: m[1]})
		}
	}
	return out
}

// Anchors returns the anchors of a Markdown text: GitHub's slug of each
// heading (lowercase; letters, digits, spaces, - and _ kept; spaces to -;
// a repeated slug gets -1, -2, ...) and every explicit <a name>/id.
func Anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, line := range prose(text) {
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := headingLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := Slug(m[1])
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// prose returns a Markdown text's lines with those of fenced code blocks
// (and the fences) blanked, so line numbers stay those of the file.
func prose(text string) []string {
	lines := strings.Split(text, "\n")
	fenced := false
	for i, line := range lines {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			lines[i] = ""
		} else if fenced {
			lines[i] = ""
		}
	}
	return lines
}

// Slug is GitHub's anchor for a heading's text.
func Slug(heading string) string {
	// Link text counts, link targets and markup do not.
	heading = htmlTag.ReplaceAllString(linkMarkup.ReplaceAllString(heading, "$1"), "")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// Problem is a link that does not resolve, or a mention of what is outside
// the repository.
type Problem struct {
	Link
	Why string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Target, p.Why)
}

// Check resolves every relative link and anchor of the Markdown files
// (paths relative to root) inside root.
func Check(root string, files []string) ([]Problem, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("check links: %w", err)
	}
	texts := map[string]string{}
	read := func(rel string) (string, error) {
		if t, ok := texts[rel]; ok {
			return t, nil
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return "", err
		}
		texts[rel] = string(b)
		return texts[rel], nil
	}
	var out []Problem
	for _, f := range files {
		text, err := read(f)
		if err != nil {
			return nil, fmt.Errorf("check links: read %s: %w", f, err)
		}
		for _, l := range Links(f, text) {
			if why := resolve(root, l, read); why != "" {
				out = append(out, Problem{Link: l, Why: why})
			}
		}
	}
	return out, nil
}

// resolve says why a link does not resolve, or "" when it does.
func resolve(root string, l Link, read func(string) (string, error)) string {
	if scheme.MatchString(l.Target) || strings.HasPrefix(l.Target, "//") {
		return "" // an absolute URL: not the repository's to check
	}
	path, anchor, _ := strings.Cut(l.Target, "#")
	target := l.File
	if path != "" {
		if strings.HasPrefix(path, "/") {
			return "an absolute path; link relative to the file"
		}
		abs := filepath.Join(root, filepath.Dir(l.File), filepath.FromSlash(path))
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "points outside the repository"
		}
		info, err := os.Stat(abs)
		if err != nil {
			return "no such file or directory in the repository"
		}
		if info.IsDir() {
			if anchor != "" {
				return "an anchor on a directory"
			}
			return ""
		}
		target = filepath.ToSlash(rel)
	}
	if anchor == "" {
		return ""
	}
	if !strings.HasSuffix(target, ".md") {
		return "" // an anchor into source code names a line; GitHub resolves those
	}
	text, err := read(target)
	if err != nil {
		return "cannot read the target"
	}
	if !Anchors(text)[anchor] {
		return fmt.Sprintf("no heading or anchor %q in %s", anchor, target)
	}
	return ""
}

// relativePath is a path that climbs out of its file's folder ("../x").
var relativePath = regexp.MustCompile(`(?:\.\./)+[A-Za-z0-9_][A-Za-z0-9_./-]*`)

// Outside returns the lines of file (a path relative to the repository's
// root) that name a path which, taken from the file's folder, leaves the
// repository: a clone holds nothing there.
func Outside(file, text string) []Problem {
	var out []Problem
	for i, line := range strings.Split(text, "\n") {
		for _, p := range relativePath.FindAllString(line, -1) {
			if rel := filepath.ToSlash(filepath.Join(filepath.Dir(file), p)); rel == ".." || strings.HasPrefix(rel, "../") {
				out = append(out, Problem{Link: Link{File: file, Line: i + 1, Target: p}, Why: "points outside the repository, to a folder that is not part of it"})
			}
		}
	}
	return out
}
