# Reads one line per round, "registry baseline" (tps or ms of the two runs of
# that round, which ran back to back), and prints each round's own ratio,
# registry / baseline, and their median: "rounds 0.91, 0.84, 0.88; median 0.88".
# A slow spell of the machine tends to hit both runs of a round, which the
# best-of-rounds ratio cannot show.  Rounds whose baseline failed (0) are left out.
$2 > 0 { r[++n] = $1 / $2 }
END {
	for (i = 1; i <= n; i++)
		s = s (i > 1 ? ", " : "") sprintf("%.2f", r[i])
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
	if (n == 0)
		printf "no rounds"
	else
		printf "rounds %s; median %.2f", s, (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
}
