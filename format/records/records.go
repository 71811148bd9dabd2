// Package records writes typed records as JSON or YAML: one document per
// run, the same rows the text displays show, with addresses as strings and
// numbers as numbers.
package records

import (
	"encoding/json"
	"fmt"
	"io"
)

// Write encodes v to w as "json" or "yaml".
func Write(w io.Writer, kind string, v any) error {
	switch kind {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case "yaml":
		// Go through JSON so both formats carry the same fields and
		// encodings (netip, time) in the same order.
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out, err := appendYAML(nil, b)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	return fmt.Errorf("unknown output format %q", kind)
}
