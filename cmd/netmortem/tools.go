//go:build tools

// This file pins dependencies chosen in DESIGN.md that no package imports
// yet, so `go mod tidy` keeps them while the packages using them are built.
package main

import (
	_ "github.com/gaissmai/bart"
	_ "github.com/mdlayher/netlink"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/cobra/doc"
	_ "github.com/ulikunitz/xz"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/term"
)
