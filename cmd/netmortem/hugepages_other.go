//go:build !linux

package main

func hugeHeap() bool { return false }

func bigRunFor(paths ...string) {}

func bigRun()     {}
func captureRun() {}
