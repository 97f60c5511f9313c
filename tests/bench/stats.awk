# SPDX-License-Identifier: GPL-2.0-or-later
# Medians and paired ratios of the driver's output.
#
#   awk -v col=3 -v base=crun [-v base2=crun-1.27] -f stats.awk DATA...
#
# DATA lines: LABEL ROUND WALL CPU MAXRSS FAILURES (tab separated).  col picks
# the value (3 wall, 4 cpu, 5 maxrss).  For every label prints
#   LABEL MEDIAN MEDIAN_RATIO N FAILURES MEDIAN_RATIO2
# where MEDIAN_RATIO is the median over rounds of value/base's value in the
# same round (rounds where either failed are left out), "-" if there is none;
# MEDIAN_RATIO2 the same against base2 ("-" without base2).

function median(arr, n,    i, j, t) {
	# insertion sort: n is small
	for (i = 2; i <= n; i++) {
		t = arr[i]
		for (j = i - 1; j >= 1 && arr[j] > t; j--)
			arr[j + 1] = arr[j]
		arr[j + 1] = t
	}
	if (n == 0)
		return "-"
	if (n % 2)
		return arr[(n + 1) / 2]
	return (arr[n / 2] + arr[n / 2 + 1]) / 2
}

# median over rounds of l's value / b's value in the same round
function paired_median(l, b,    i, rd, nr, r) {
	nr = 0
	if (b == "")
		return "-"
	for (i = 1; i <= count[l]; i++) {
		rd = rounds[l, i]
		if ((b, rd) in val && val[b, rd] > 0)
			r[++nr] = val[l, rd] / val[b, rd]
	}
	return median(r, nr)
}

BEGIN { FS = "\t"; nl = 0 }

NF >= 6 {
	label = $1; round = $2
	if (!(label in seen)) {
		seen[label] = 1
		order[++nl] = label
	}
	if ($6 != 0) {
		fails[label] += $6
		next
	}
	val[label, round] = $col
	rounds[label, ++count[label]] = round
}

END {
	for (k = 1; k <= nl; k++) {
		l = order[k]
		n = 0
		delete v
		for (i = 1; i <= count[l]; i++)
			v[++n] = val[l, rounds[l, i]]
		m = median(v, n)
		nr = 0
		delete r
		for (i = 1; i <= count[l]; i++) {
			rd = rounds[l, i]
			if ((base, rd) in val && val[base, rd] > 0)
				r[++nr] = val[l, rd] / val[base, rd]
		}
		mr = median(r, nr)
		mr2 = paired_median(l, base2)
		printf "%s\t%s\t%s\t%d\t%d\t%s\n", l, m, mr, n, fails[l] + 0, mr2
	}
}
