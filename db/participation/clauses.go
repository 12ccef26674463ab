package participation

import (
	"regexp"
	"strconv"
	"strings"
)

// SplitClauses splits a published draft into the clauses citizens comment
// on (逐条征求意见). A normative draft is written in articles (条), each of
// one or more paragraphs (款): a line that begins "第N条" starts an article,
// and the lines after it are its paragraphs. Chapter and section lines
// ("第一章　总则", "第二节 …") are not clauses: they head the clauses that
// follow. The text before the first article (the title, a preamble) is the
// preamble. A draft without articles (an implementation plan, 实施方案) is
// split into its paragraphs, each a clause labelled 第N款.
//
// Clauses are numbered 1, 2, … in the draft's order; a comment names its
// clause by that number (0: the whole draft). The function is pure: the
// same draft always gives the same clauses, so splitting again after a
// crash stores the same rows.
func SplitClauses(text string) Draft {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	var d Draft
	var preamble []string
	heading := ""
	var cur *Clause
	flush := func() {
		if cur != nil {
			cur.Body = strings.Join(cur.paras, "\n")
			cur.paras = nil
			d.Clauses = append(d.Clauses, *cur)
			cur = nil
		}
	}
	hasArticles := false
	for _, l := range lines {
		if articleLine.MatchString(l) {
			hasArticles = true
			break
		}
	}
	for _, raw := range lines {
		l := strings.TrimSpace(strings.Trim(raw, "\u3000"))
		if l == "" {
			continue
		}
		if !hasArticles {
			d.Clauses = append(d.Clauses, Clause{No: len(d.Clauses) + 1, Label: "第" + chineseNumber(len(d.Clauses)+1) + "款", Body: l})
			continue
		}
		if m := chapterLine.FindStringSubmatch(l); m != nil && len([]rune(l)) <= 60 {
			flush()
			heading = l
			continue
		}
		if m := articleLine.FindStringSubmatch(l); m != nil {
			flush()
			cur = &Clause{No: len(d.Clauses) + 1, Label: m[1], Heading: heading}
			if rest := strings.TrimSpace(strings.Trim(m[2], "\u3000 ")); rest != "" {
				cur.paras = append(cur.paras, rest)
			}
			continue
		}
		if cur == nil {
			preamble = append(preamble, l)
			continue
		}
		cur.paras = append(cur.paras, l)
	}
	flush()
	d.Preamble = strings.Join(preamble, "\n")
	return d
}

// Draft is a draft split by SplitClauses.
type Draft struct {
	Preamble string
	Clauses  []Clause
}

// Clause is one clause of a published draft.
type Clause struct {
	No      int    `db:"no" json:"no"`
	Label   string `db:"label" json:"label"`     // as the draft numbers it: 第三条 (or 第3款 of a plan)
	Heading string `db:"heading" json:"heading"` // the chapter or section it stands under
	Body    string `db:"body" json:"body"`       // its paragraphs (款), one a line

	paras []string
}

// Paragraphs are the clause's paragraphs (款).
func (c Clause) Paragraphs() []string { return strings.Split(c.Body, "\n") }

const numerals = `[零〇一二三四五六七八九十百千两0-9０-９]+`

var (
	// articleLine is an article's first line: its number, then its first
	// paragraph ("第三条　供热价格……" or "第三条供热价格……").
	articleLine = regexp.MustCompile(`^[\s\x{3000}]*(第` + numerals + `条(?:之` + numerals + `)?)[\s\x{3000}]*(.*)$`)
	// chapterLine heads a part, chapter or section (编、章、节).
	chapterLine = regexp.MustCompile(`^第` + numerals + `[编章节]([\s\x{3000}]|$)`)
)

// chineseNumber writes 1–99 in Chinese numerals (第十二款), larger numbers
// in digits.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return strconv.Itoa(n)
}
