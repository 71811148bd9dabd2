//go:build !linux

package main

func hugeHeap() bool { return false }

func hugeHeapFor(paths ...string) {}
