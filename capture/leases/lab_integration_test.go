package leases

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIntegrationLabDhclient builds a lab of its own, lets its dhclient take
// a lease from the lab's dnsmasq, and parses the live lease file with the
// file's own modification time.
func TestIntegrationLabDhclient(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the lab needs root")
	}
	script, err := filepath.Abs("../../testdata/lab/lab.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(script); err != nil {
		t.Skip("no lab script")
	}
	for _, tool := range []string{"dnsmasq", "dhclient", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the lab needs %s", tool)
		}
	}
	prefix := fmt.Sprintf("lsi%d", os.Getpid()%100000)
	t.Cleanup(func() {
		if out, err := exec.Command(script, "down", prefix).CombinedOutput(); err != nil {
			t.Errorf("lab down: %v\n%s", err, out)
		}
	})
	if out, err := exec.Command(script, "up", prefix).CombinedOutput(); err != nil {
		t.Fatalf("lab up: %v\n%s", err, out)
	}
	env, err := exec.Command(script, "env", prefix).Output()
	if err != nil {
		t.Fatal(err)
	}
	var lease string
	for _, l := range strings.Split(string(env), "\n") {
		if v, ok := strings.CutPrefix(l, "LAB_LEASE="); ok {
			lease = v
		}
	}
	data, err := os.ReadFile(lease)
	if err != nil {
		t.Fatalf("lab lease file: %v", err)
	}
	info, err := os.Stat(lease)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := ParseDhclient(lease, data, info.ModTime())
	if err != nil || len(ls) != 1 {
		t.Fatalf("ParseDhclient = %d leases, %v\n%s", len(ls), err, data)
	}
	labLease4(t, ls[0])
	if d := info.ModTime().Sub(ls[0].Start); d < 0 || d >= time.Second {
		t.Errorf("start %v, file written %v", ls[0].Start, info.ModTime())
	}
	if time.Since(ls[0].Start) > 10*time.Minute || time.Until(ls[0].Expire) < 50*time.Minute {
		t.Errorf("a lease just taken should start now and end in an hour: %v – %v", ls[0].Start, ls[0].Expire)
	}
}
