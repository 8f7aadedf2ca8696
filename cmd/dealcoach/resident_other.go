//go:build !linux

package main

import "log/slog"

// releaseStartPages is Linux's only (see resident_linux.go).
func releaseStartPages(log *slog.Logger) {}
