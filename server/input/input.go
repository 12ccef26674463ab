// Package input screens every text that enters the API at the edge — JSON
// bodies, form posts, query and path parameters, uploaded documents' fields —
// for what PostgreSQL text/jsonb or a workflow's history cannot hold: NUL,
// other control characters, invalid UTF-8, lone UTF-16 surrogate escapes, and
// texts too long for any field. server (its one screening middleware and its
// upload reader) imports it; it imports nothing of ours.
package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxText is the most bytes any one text may have (a field's own limit is
// usually far lower and checked by its handler). 64 KiB is some 21,000
// Chinese characters: more than any opinion, comment or summary; documents
// are uploaded as files, not typed.
const MaxText = 64 << 10

// FieldError is one refused text: the field's path ("form.statements[0].text",
// a query parameter's or a path parameter's name) and why, Chinese first.
type FieldError struct {
	Field   string
	Message string
	EN      string
}

// Kind of fault, for messages and tests.
const (
	faultNUL       = "nul"
	faultControl   = "control"
	faultUTF8      = "utf8"
	faultSurrogate = "surrogate"
	faultLength    = "length"
)

var faultText = map[string][2]string{
	faultNUL:       {"不能含空字符（NUL）", "must not contain a NUL character"},
	faultControl:   {"不能含控制字符（换行、回车、制表符除外）", "must not contain control characters (other than newline, carriage return and tab)"},
	faultUTF8:      {"不是有效的 UTF-8 文本", "is not valid UTF-8 text"},
	faultSurrogate: {"含无效的 Unicode 转义（孤立的代理项）", "holds an invalid Unicode escape (a lone surrogate)"},
	faultLength:    {fmt.Sprintf("过长（至多 %d 字节）", MaxText), fmt.Sprintf("is too long (at most %d bytes)", MaxText)},
}

func fault(field, kind string) *FieldError {
	m := faultText[kind]
	return &FieldError{Field: field, Message: m[0], EN: m[1]}
}

// Text checks one text that arrived already decoded (a form value, a query
// or path parameter, a multipart field, a file name). multiline allows tab,
// newline and carriage return.
func Text(field, s string, multiline bool) *FieldError {
	if len(s) > MaxText {
		return fault(field, faultLength)
	}
	if !utf8.ValidString(s) {
		return fault(field, faultUTF8)
	}
	for _, r := range s {
		if k := runeFault(r, multiline); k != "" {
			return fault(field, k)
		}
	}
	return nil
}

// Body checks a body that is not JSON (a CSV file) as one text of lines,
// of any length: the route's body limit bounds it.
func Body(field string, b []byte) *FieldError {
	if !utf8.Valid(b) {
		return fault(field, faultUTF8)
	}
	for _, r := range string(b) {
		if k := runeFault(r, true); k != "" {
			return fault(field, k)
		}
	}
	return nil
}

// runeFault says what is wrong with r in a text: NUL (PostgreSQL text and
// jsonb refuse it), a C0 or C1 control character or DEL (invisible, they
// corrupt records and exports), or nothing.
func runeFault(r rune, multiline bool) string {
	switch {
	case r == 0:
		return faultNUL
	case r == '\t' || r == '\n' || r == '\r':
		if multiline {
			return ""
		}
		return faultControl
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return faultControl
	}
	return ""
}

// ErrNotJSON says the body is not JSON at all; the decoder that reads it
// explains what is wrong, so JSON reports no field error for it.
var ErrNotJSON = errors.New("not JSON")

// JSON checks every string (keys and values) of a raw JSON body, looking at
// the bytes as sent: encoding/json silently turns invalid UTF-8 and lone
// surrogate escapes (\ud800) into U+FFFD, so a check after decoding cannot
// see them. Strings may hold tab, newline and carriage return. It returns the
// first fault of each field, in body order; a body that does not parse as
// JSON is ErrNotJSON.
func JSON(raw []byte) ([]FieldError, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var errs []FieldError
	// stack of containers: for an object the key being read, for an array
	// the index of the next element.
	type frame struct {
		array bool
		key   string
		index int
		atKey bool // object: the next string is a key
	}
	var stack []*frame
	path := func(extra string) string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else if !f.atKey {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		if extra != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(extra)
		}
		return b.String()
	}
	// value is called after a complete value: the parent moves on.
	value := func() {
		if n := len(stack); n > 0 {
			if f := stack[n-1]; f.array {
				f.index++
			} else {
				f.atKey = true
			}
		}
	}
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) && len(stack) == 0 {
			break
		}
		if err != nil {
			return errs, ErrNotJSON
		}
		end := dec.InputOffset()
		start := prev
		prev = end
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{atKey: true})
			case '[':
				stack = append(stack, &frame{array: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			// The raw string runs from the first quote after the previous
			// token (only white space, ':' and ',' lie between) to end.
			q := bytes.IndexByte(raw[start:end], '"')
			if q < 0 {
				return errs, ErrNotJSON
			}
			rawStr := raw[start+int64(q) : end]
			isKey := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].atKey
			field := path("")
			if isKey {
				field = path(safeKey(t))
			}
			if k := rawStringFault(rawStr, t); k != "" {
				errs = appendOnce(errs, fault(field, k))
			}
			if isKey {
				f := stack[len(stack)-1]
				f.key, f.atKey = safeKey(t), false
			} else {
				value()
			}
		default:
			value()
		}
	}
	return errs, nil
}

// rawStringFault checks one JSON string as sent (quotes included) and as
// decoded.
func rawStringFault(raw []byte, decoded string) string {
	if !utf8.Valid(raw) {
		return faultUTF8
	}
	if len(decoded) > MaxText {
		return faultLength
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue
		}
		v, ok := hex4(raw, i+1)
		if !ok {
			continue // the decoder refused it already
		}
		i += 4
		switch {
		case v >= 0xd800 && v <= 0xdbff:
			// A high surrogate must be followed by a low one.
			if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if lo, ok := hex4(raw, i+3); ok && lo >= 0xdc00 && lo <= 0xdfff {
					i += 6
					continue
				}
			}
			return faultSurrogate
		case v >= 0xdc00 && v <= 0xdfff:
			return faultSurrogate
		}
	}
	for _, r := range decoded {
		if k := runeFault(r, true); k != "" {
			return k
		}
	}
	return ""
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(v), err == nil
}

// safeKey is a key as a field path shows it: quoted when it holds anything
// but printable text, and cut when long.
func safeKey(k string) string {
	if len(k) > 64 {
		k = k[:64]
	}
	if Text("", k, false) != nil || strings.ContainsAny(k, `."[] `) {
		return strconv.QuoteToASCII(k)
	}
	return k
}

func appendOnce(errs []FieldError, e *FieldError) []FieldError {
	for _, x := range errs {
		if x.Field == e.Field {
			return errs
		}
	}
	return append(errs, *e)
}
