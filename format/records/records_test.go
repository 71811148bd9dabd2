package records

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

type row struct {
	Local netip.AddrPort `json:"local"`
	State string         `json:"state"`
	Count uint64         `json:"count"`
}

func TestWrite(t *testing.T) {
	v := []row{{netip.MustParseAddrPort("10.1.0.1:8080"), "LISTEN", 1 << 40}}
	var j, y bytes.Buffer
	if err := Write(&j, "json", v); err != nil {
		t.Fatal(err)
	}
	if err := Write(&y, "yaml", v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"local": "10.1.0.1:8080"`) || !strings.Contains(j.String(), `"count": 1099511627776`) {
		t.Errorf("json:\n%s", j.String())
	}
	if !strings.Contains(y.String(), "local: 10.1.0.1:8080") || !strings.Contains(y.String(), "count: 1099511627776") {
		t.Errorf("yaml:\n%s", y.String())
	}
	if err := Write(&j, "xml", v); err == nil {
		t.Error("xml accepted")
	}
}
