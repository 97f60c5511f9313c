#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# integration/README.md lists every test file (integration/*.bats and
# integration/vm/*.bats) with what it covers: one TAP line per file.
# Run by `make check`.
srcdir=${srcdir:-.}
readme=$srcdir/integration/README.md
n=0
failed=0
for f in "$srcdir"/integration/*.bats "$srcdir"/integration/vm/*.bats; do
	[ -f "$f" ] || continue
	name=${f#"$srcdir"/integration/}
	n=$((n + 1))
	if grep -q "^| .*\`$name\`" "$readme"; then
		echo "ok $n - $name is listed in integration/README.md"
	else
		echo "not ok $n - $name is not listed in integration/README.md (its table of files)"
		failed=1
	fi
done
if [ "$n" = 0 ]; then
	echo "not ok 1 - no test file found under $srcdir/integration"
	n=1
	failed=1
fi
echo "1..$n"
exit $failed
