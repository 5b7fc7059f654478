# gogc.gp — the GOGC time–space trade-off: for each collected adapter, one
# point per GOGC value at (peak RSS, median time), labelled with GOGC, and
# a line through them. Filled in by `heapbench plot` with:
#   term, outfile, datafile   one block per adapter: rss_mib time_ms gogc
#   nseries, names, colors, title
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
set title title
set xlabel "peak RSS (MiB)"
set ylabel "median time per iteration (ms)"
set grid lc rgb "#dddddd"
set key outside right top vertical
plot for [i=1:nseries] datafile index (i-1) using 1:2 with linespoints lw 2 pt 7 lc rgb word(colors, i) \
       title word(names, i), \
     for [i=1:nseries] datafile index (i-1) using 1:2:(sprintf("GOGC=%d", $3)) with labels \
       offset 1,0.8 font ",8" notitle
