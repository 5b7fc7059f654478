# bars.gp — grouped bars: one group per workload, one bar per adapter,
# whiskers: the 95 % confidence interval of each median (normalized values).
# Filled in by `heapbench plot` (harness/cli/cmd_plot.c) with:
#   term, outfile, datafile   terminal spec, output, data (row: label, then
#                             value low high per adapter; "?" = missing)
#   ncols, names, colors      adapters, their labels and colours (words)
#   title, ylabel, logy       texts; logy=1 for a log y axis
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
# cairolatex hands labels to LaTeX: escape its specials there
esc1(s, c) = (q = strstrt(s, c)) ? s[1:q-1] . "\\" . c . esc1(s[q+1:], c) : s
tx(s) = (exists("latex") && latex) ? esc1(esc1(esc1(s, "%"), "_"), "#") : s
set format y "%g"
set datafile missing "?"
if (!exists("latex") || !latex) set title title
set ylabel tx(ylabel)
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set xtics rotate by -30 left nomirror
set key outside top center horizontal
set errorbars lc rgb "#222222"
if (logy) set logscale y 2
if (logy) { set yrange [*:*] } else { set yrange [0:*] }
baseline_y = 1
plot for [i=1:ncols] datafile using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
       title word(names, i) lc rgb word(colors, i), \
     baseline_y with lines dt 2 lc rgb "#666666" notitle
