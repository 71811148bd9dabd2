package records

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The YAML form is written here rather than by a YAML library: the one we
// used compiled regular expressions at start-up, on every command. The
// document is the JSON one re-spelled in block style, keys in the JSON
// order, 2-space indentation:
//
//	key: value
//	map:
//	  key: value
//	list:
//	  - scalar
//	  - key: value
//	    key: value
//	empty: {}
//	none: []
//
// Numbers, booleans and null are copied from the JSON as they are. A
// string is written plain only when a YAML reader cannot take it for
// anything else (see needsQuotes), and otherwise in double quotes with
// escapes that JSON and YAML share.

// The position the next value is written at.
const (
	posTop    = iota // the start of the document
	posKey           // after "key:": a scalar follows a space, a block a newline
	posInline        // after "- " or ": ": a block starts on this line
)

// maxSimpleKey is the longest key written as "key: value"; longer ones take
// the explicit "? key" / ": value" form. YAML readers give up on implicit
// keys past 1024 characters; 128 bytes, even when every byte is escaped,
// stays below that, and is where yaml.v3 switches too.
const maxSimpleKey = 128

type yamlWriter struct {
	dec *json.Decoder
	out []byte
}

// appendYAML appends the JSON document doc to out as block YAML.
func appendYAML(out, doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	y := &yamlWriter{dec: dec, out: out}
	if err := y.value(0, posTop); err != nil {
		return out, err
	}
	if _, err := dec.Token(); err == nil {
		return out, fmt.Errorf("yaml: more than one JSON value")
	}
	return y.out, nil
}

// value writes the next JSON value; a block collection in it is indented
// by indent.
func (y *yamlWriter) value(indent, pos int) error {
	tok, err := y.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		empty := !y.dec.More()
		if empty {
			if _, err := y.dec.Token(); err != nil {
				return err
			}
		}
		switch {
		case t == '{' && empty:
			y.scalar("{}", pos)
		case t == '[' && empty:
			y.scalar("[]", pos)
		case t == '{':
			return y.mapping(indent, pos)
		case t == '[':
			return y.sequence(indent, pos)
		default:
			return fmt.Errorf("yaml: unexpected %v", t)
		}
	case string:
		y.out = append(y.out, sep(pos)...)
		y.out = appendString(y.out, t)
		y.out = append(y.out, '\n')
	case json.Number:
		y.scalar(string(t), pos)
	case bool:
		y.scalar(strconv.FormatBool(t), pos)
	case nil:
		y.scalar("null", pos)
	default:
		return fmt.Errorf("yaml: unexpected JSON token %v", tok)
	}
	return nil
}

func sep(pos int) string {
	if pos == posKey {
		return " "
	}
	return ""
}

func (y *yamlWriter) scalar(s string, pos int) {
	y.out = append(y.out, sep(pos)...)
	y.out = append(y.out, s...)
	y.out = append(y.out, '\n')
}

// start begins the line of a block collection's entry: the first entry of
// an inline collection continues the current line.
func (y *yamlWriter) start(indent, pos int, first bool) {
	if first && pos == posKey {
		y.out = append(y.out, '\n')
	}
	if !first || pos != posInline {
		y.out = appendSpaces(y.out, indent)
	}
}

func (y *yamlWriter) mapping(indent, pos int) error {
	for first := true; y.dec.More(); first = false {
		tok, err := y.dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("yaml: unexpected JSON key %v", tok)
		}
		y.start(indent, pos, first)
		if len(key) > maxSimpleKey {
			y.out = append(y.out, "? "...)
			y.out = appendString(y.out, key)
			y.out = append(y.out, '\n')
			y.out = appendSpaces(y.out, indent)
			y.out = append(y.out, ": "...)
			err = y.value(indent+2, posInline)
		} else {
			y.out = appendString(y.out, key)
			y.out = append(y.out, ':')
			err = y.value(indent+2, posKey)
		}
		if err != nil {
			return err
		}
	}
	_, err := y.dec.Token() // '}'
	return err
}

func (y *yamlWriter) sequence(indent, pos int) error {
	for first := true; y.dec.More(); first = false {
		y.start(indent, pos, first)
		y.out = append(y.out, "- "...)
		if err := y.value(indent+2, posInline); err != nil {
			return err
		}
	}
	_, err := y.dec.Token() // ']'
	return err
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// appendString appends s plain if that is safe, otherwise double-quoted.
func appendString(b []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	return appendQuoted(b, s)
}

// appendQuoted appends s as a double-quoted scalar. The escapes are those
// of JSON (\" \\ \b \t \n \f \r \uXXXX), which YAML has too; every
// character a YAML reader refuses in a document or treats as a line break
// or a byte order mark is escaped, and so is any other that does not
// print.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r >= ' ' && r < utf8.RuneSelf && r != 0x7f:
			b = append(b, byte(r))
		case r <= 0xffff && !unicode.IsPrint(r):
			// Controls, C1 controls, NEL, the Unicode line and
			// paragraph separators, the BOM, U+FFFE and U+FFFF,
			// format characters, spaces other than ' '.
			b = append(b, '\\', 'u', hex[r>>12], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			// Printable, or beyond the BMP, where YAML accepts any
			// character as it is (and \u of a surrogate pair does not
			// work).
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// needsQuotes reports whether s must be quoted to be read back as the same
// string. It errs towards quoting: a YAML 1.1 reader, or yaml.v3, reading
// the plain form must not see a null, a boolean, a number, a timestamp, a
// merge key or an indicator, and the text must hold only printable
// characters of the BMP other than tabs and unusual spaces (yaml.v3 quotes
// anything beyond the BMP, emoji included). Every string left plain here
// is one yaml.v3 left plain.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		// Indicators, "- ", "---", "-1".
		return true
	case '+', '.':
		// "+1", "+.inf", ".5", ".inf", "..." (the end of a document),
		// but not "../x".
		if strings.Trim(s[1:], "0123456789._eE+-") == "" || strings.HasPrefix(s, "...") ||
			strings.EqualFold(strings.TrimPrefix(s, "+"), ".inf") || strings.EqualFold(s, ".nan") {
			return true
		}
	}
	switch last := s[len(s)-1]; last {
	case ' ', ':':
		return true
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return true
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f || r >= utf8.RuneSelf && (r > 0xffff || !unicode.IsPrint(r) || unicode.IsSpace(r)) {
			return true
		}
	}
	if isReserved(s) || looksNumeric(s) {
		return true
	}
	return false
}

// isReserved reports the YAML 1.1 spellings of null and booleans, in any
// case, and the merge and value keys.
func isReserved(s string) bool {
	if len(s) > 5 {
		return false
	}
	for _, w := range [...]string{"null", "~", "true", "false", "yes", "no", "y", "n", "on", "off", "<<", "="} {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// looksNumeric reports a string a YAML reader could take for a number or a
// timestamp: integers in any base, signed or not and with underscores,
// floats, infinities and NaNs however spelt, sexagesimal numbers (YAML 1.1:
// "12:30") and anything starting like a date ("2026-").
func looksNumeric(s string) bool {
	t := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseFloat(t, 64); err == nil || isRange(err) {
		return true
	}
	u := strings.TrimLeft(s, "+-")
	if u == "" || u[0] < '0' || u[0] > '9' {
		return false
	}
	if _, err := strconv.ParseInt(t, 0, 64); err == nil || isRange(err) {
		return true
	}
	if _, err := strconv.ParseUint(t, 0, 64); err == nil || isRange(err) {
		return true
	}
	if len(s) >= 5 && s[4] == '-' && strings.Trim(s[:4], "0123456789") == "" {
		return true
	}
	return isSexagesimal(u)
}

// isSexagesimal matches YAML 1.1's base 60 numbers,
// [0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?, like "12:30" or "1:20:30.5".
func isSexagesimal(s string) bool {
	digits := func(s string, extra byte) int {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == extra) {
			i++
		}
		return i
	}
	i := digits(s, '_')
	if i == 0 {
		return false
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		n := digits(s[i+1:], '0')
		if n == 0 || n > 2 || n == 2 && s[i+1] > '5' {
			return false
		}
		i += 1 + n
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i += 1 + digits(s[i+1:], '_')
	}
	return i == len(s)
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
