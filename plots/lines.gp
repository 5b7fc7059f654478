# lines.gp — one line per series (adapter or cell) over a shared x axis:
# thread scaling, RSS over time, pause-time distribution (CDF), minimum
# mutator utilization. Filled in by `heapbench plot` with:
#   term, outfile, datafile   the data holds one block per series
#                             (separated by two blank lines): x y
#   nseries, names, colors    labels and colours (words)
#   title, xlabel, ylabel     texts
#   logx, logy                1 for log axes (logx 2: base 2, for thread counts); style: "lines" or "linespoints pt 7 ps 0.6"
#   ymin, ymax                y range (use "*" for automatic)
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
# cairolatex hands labels to LaTeX: escape its specials there
esc1(s, c) = (q = strstrt(s, c)) ? s[1:q-1] . "\\" . c . esc1(s[q+1:], c) : s
tx(s) = (exists("latex") && latex) ? esc1(esc1(esc1(s, "%"), "_"), "#") : s
set format y "%g"
set format x "%g"
if (!exists("latex") || !latex) set title title
set xlabel tx(xlabel)
set ylabel tx(ylabel)
set grid lc rgb "#dddddd"
set key outside right top vertical
if (logx == 2) { set logscale x 2 } else { if (logx) { set logscale x } }
set autoscale xfix
if (logy) set logscale y
set yrange [@ymin:@ymax]
plot for [i=1:nseries] datafile index (i-1) using 1:2 with @style lw 2 lc rgb word(colors, i) \
       title word(names, i)
