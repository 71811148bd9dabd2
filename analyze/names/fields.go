package names

import "bytes"

// maxLine bounds the length of one database line. glibc reads lines of any
// length; a longer line here is skipped so a hostile file cannot make one
// entry arbitrarily expensive to keep.
const maxLine = 64 << 10

// eachLine calls fn with the 1-based number, the text and the
// whitespace-separated fields of every line of data, after cutting the line
// at the first '#' (glibc's nss_files comment rule). Lines with no fields
// are not reported.
// A line longer than maxLine is reported to tooLong instead.
func eachLine(data []byte, fn func(line int, text []byte, fields []string), tooLong func(line int)) {
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) > maxLine {
			tooLong(n)
			continue
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := splitSpace(line)
		if len(f) > 0 {
			fn(n, line, f)
		}
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// splitSpace splits s at runs of isSpace bytes. Unlike strings.Fields it
// does not treat non-ASCII Unicode spaces as separators, as glibc does not.
func splitSpace(s []byte) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if j > i {
			out = append(out, string(s[i:j]))
		}
		i = j
	}
	return out
}

// aliases returns f as a fresh slice, or nil when empty, so entries do not
// share backing arrays with the parser's scratch space.
func aliases(f []string) []string {
	if len(f) == 0 {
		return nil
	}
	return append([]string(nil), f...)
}
