#!/bin/sh
# Usage: promtool_check.sh SAMPLE_BINARY. Lints the page the binary prints with Prometheus' own
# parser and linter. Exit 77 (ctest SKIP_RETURN_CODE) when promtool is not installed: it is an
# optional tool (Debian package `prometheus`), not a build dependency.
command -v promtool >/dev/null 2>&1 || { echo "promtool not installed: skipped"; exit 77; }
page=$("$1") || { echo "sample binary failed"; exit 1; }
printf '%s\n' "$page" | promtool check metrics
