package solaris

import (
	"strings"
	"testing"
)

// fxGoldenCases are the command lines replayed on each fixture; the golden
// file starts with the command line, then what it printed.
var fxGoldenCases = map[string][]string{
	"lab": {
		"", "-a", "-n", "-an", "-v", "-anv", "-f inet", "-f inet6 -a", "-f unix", "-P tcp", "-P tcp -an",
		"-P udp -an", "-P raw -an", "-P sctp -a",
		"-r", "-rn", "-rv", "-rnv", "-ra", "-ran", "-ranv", "-rn -f inet", "-rn -f inet6", "-rn -f outif:a1",
		"-rn -f flags:+G", "-rn -f table:uplink2", "-ran -f dst:10.1.0.0/24", "-rn -f outif:a0:1 -a",
		"-i", "-in", "-ia", "-ian", "-I a0", "-I a0 -a", "-I a0:1 -an", "-i -f inet6", "-i -f inet",
		"-i 1",
	},
	"edge": {
		"-a", "-an", "-anv", "-P udp -a", "-P raw -a", "-P sctp -a", "-P sctp -av", "-f unix -v",
		"-ran", "-ranv", "-rn", "-r -f flags:-U -a", "-ia", "-ian", "-i -f inet6", "-I eth0:web -a", "-I veth-long-name0",
	},
	// The live capture of the lab namespace: every form and variant.
	"capture": {
		"", "-a", "-n", "-an", "-v", "-anv", "-f inet", "-f inet6 -a", "-f unix", "-P tcp -an", "-P udp -a",
		"-P raw -an", "-rn", "-r", "-rnv", "-ran", "-ranv", "-rn -f outif:a1", "-rn -f table:all",
		"-ran -f flags:+L", "-i", "-ia", "-in", "-ian", "-I a0", "-I a0 -a", "-i -f inet6",
	},
	"capture-series": {"-i 1", "-I a1 1", "-in 2", "-i -f inet6 1 3"},
	"series": {
		"-i 1", "-in 1", "-i 2", "-i 1 2", "-I a1 1", "-i -f inet6 1", "-I lo 1", "-i -r -n 1 2",
	},
}

func TestForms167Golden(t *testing.T) {
	for fixture, cases := range fxGoldenCases {
		for _, c := range cases {
			args := strings.Fields(c)
			t.Run(fixture+"/"+c, func(t *testing.T) {
				out, err := fxNetstat(fxPath(fixture), "text", args...)
				if err != nil {
					t.Fatal(err)
				}
				fxGolden(t, fxGoldenName(fixture, "text", args), "$ netstat "+c+"\n"+out)
			})
		}
	}
}

// fxRecordCases check the JSON and YAML records.
var fxRecordCases = []struct{ fixture, output, args string }{
	{"lab", "json", "-an"},
	{"lab", "json", "-rnv"},
	{"lab", "json", "-ia"},
	{"lab", "yaml", "-f unix"},
	{"edge", "json", "-a -P sctp"},
	{"edge", "json", "-ran"},
	{"series", "json", "-I a1 1"},
}

func TestForms167Records(t *testing.T) {
	for _, c := range fxRecordCases {
		args := strings.Fields(c.args)
		t.Run(c.fixture+"/"+c.output+"/"+c.args, func(t *testing.T) {
			out, err := fxNetstat(fxPath(c.fixture), c.output, args...)
			if err != nil {
				t.Fatal(err)
			}
			fxGolden(t, fxGoldenName(c.fixture, c.output, args), out)
		})
	}
}
