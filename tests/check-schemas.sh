#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The JSON Schemas in schema/ against real documents: every client fixture and
# test document must validate, known-bad ones must not, and `husk features`
# output must match the features schema.  Run by `make check`.
srcdir=${srcdir:-.}
check="$srcdir/tests/schema-check.py"
fixtures=${HUSK_FIXTURES:-$srcdir/tests/data/clients}
husk=${HUSK:-./runtime/husk}
n=0
failed=0

if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "1..0 # SKIP python3-jsonschema is not installed"
	exit 77
fi

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

valid() { # schema file description
	python3 "$check" "$1" "$2" >/dev/null 2>"$n.err.tmp"
	r=$?
	[ $r = 0 ] || sed 's/^/# /' "$n.err.tmp"
	rm -f "$n.err.tmp"
	result $r "$1: $3"
}

invalid() { # schema json-text description
	printf '%s' "$2" | python3 "$check" "$1" - >/dev/null 2>&1
	r=$?
	[ $r = 1 ]
	result $? "$1 refuses $3"
}

# The client fixtures ship with the sources: finding none is a failure.
ls "$fixtures"/*-config-*.json >/dev/null 2>&1
result $? "client fixtures present in $fixtures"

for f in "$fixtures"/*-config-*.json "$srcdir"/tests/data/config-full.json \
	"$srcdir"/tests/data/corpus-config/minimal.json "$srcdir"/tests/data/corpus-config/typical.json; do
	[ -f "$f" ] && valid config "$f" "$(basename "$f")"
done
for f in "$fixtures"/*-process*.json "$srcdir"/tests/data/corpus-config/process.json; do
	[ -f "$f" ] && valid process "$f" "$(basename "$f")"
done
for f in "$fixtures"/*-resources.json "$srcdir"/tests/data/corpus-config/resources.json; do
	[ -f "$f" ] && valid resources "$f" "$(basename "$f")"
done

base='"ociVersion":"1.0.0","root":{"path":"r"}'
invalid config '{"root":{"path":"r"}}' "a missing ociVersion"
invalid config "{$base,\"process\":{\"cwd\":\"rel\",\"args\":[\"sh\"]}}" "a relative cwd"
invalid config "{$base,\"linux\":{\"namespaces\":[{\"type\":\"net\"}]}}" "an unknown namespace"
invalid config "{$base,\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}}" "a string limit"
invalid config "{$base,\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}}}" "an unknown action"
invalid state '{"ociVersion":"1.3.0","id":"a","status":"exploded","pid":1,"bundle":"/b"}' "an unknown status"
invalid state '{"ociVersion":"1.3.0","id":"a","status":"running","pid":0,"bundle":"/b"}' "a running container without pid"
invalid features '{"ociVersionMin":"1.0.0"}' "a missing ociVersionMax"
invalid check '{"ok":true,"errors":1,"warnings":0,"problems":[]}' "ok with an error"
invalid check '{"ok":false,"errors":1,"warnings":0,"problems":[{"severity":"fatal","path":"","message":"m"}]}' "an unknown severity"

if [ -x "$husk" ]; then
	"$husk" features >features.json.tmp 2>/dev/null
	valid features features.json.tmp "husk features"
	rm -f features.json.tmp
else
	echo "# $husk not built: features output not checked"
fi

echo "1..$n"
exit $failed
