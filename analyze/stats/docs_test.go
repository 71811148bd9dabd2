package stats

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// mappingRows renders the Solaris variable mapping as the Markdown table
// rows docs/FORMS.md holds under "Form 4 — statistics".
func mappingRows() []string {
	var out []string
	for _, s := range Sections() {
		for _, b := range s.Blocks {
			for _, v := range b {
				src := "— (no Linux count)"
				switch {
				case v.Sysctl != "":
					n := v.Sysctl
					if len(v.IfAll) > 0 {
						n = strings.ReplaceAll(n, "{if}", strings.Join(v.IfAll, "|"))
					}
					src = "sysctl `" + n + "`"
					if v.MIBBool {
						src += " (1 → 1, 0 → 2)"
					}
				case len(v.From) > 0:
					var fs []string
					for _, r := range v.From {
						k := "`" + r.Key.String() + "`"
						switch r.Family {
						case 2:
							k += " (inet)"
						case 10:
							k += " (inet6)"
						}
						fs = append(fs, k)
					}
					src = strings.Join(fs, " + ")
				}
				kind := "counter"
				if v.Gauge {
					kind = "level"
				}
				if !v.Linux() {
					kind = ""
				}
				out = append(out, fmt.Sprintf("| %s | `%s` | %s | %s |", s.Title, v.Name, src, kind))
			}
		}
	}
	return out
}

// TestFormsDoc keeps docs/FORMS.md's statistics mapping in step with the
// table the code uses. NETMORTEM_PRINT_MAPPING=1 prints the rows.
func TestFormsDoc(t *testing.T) {
	rows := mappingRows()
	if os.Getenv("NETMORTEM_PRINT_MAPPING") != "" {
		fmt.Println(strings.Join(rows, "\n"))
	}
	doc, err := os.ReadFile("../../docs/FORMS.md")
	if err != nil {
		t.Skip(err)
	}
	for _, r := range rows {
		if !strings.Contains(string(doc), r+"\n") {
			t.Errorf("docs/FORMS.md lacks the row\n%s", r)
		}
	}
}
