// Package records writes typed records as JSON or YAML: one document per
// run, the same rows the text displays show, with addresses as strings and
// numbers as numbers.
package records

import (
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
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
		// encodings (netip, time), and through a yaml.Node so the field
		// order survives.
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var n yaml.Node
		if err := yaml.Unmarshal(b, &n); err != nil {
			return err
		}
		plain(&n)
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return err
		}
		return enc.Close()
	}
	return fmt.Errorf("unknown output format %q", kind)
}

// plain drops the JSON styles (quotes, flow collections) from a node tree
// so that it prints as block YAML; strings that need quotes get them back
// from the encoder.
func plain(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plain(c)
	}
}
