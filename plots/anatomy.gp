# anatomy.gp — one cell's memory anatomy over time (docs/anatomy.md): RSS
# stacked by class, the same colour for a class in every plot, with the
# RSS and live-bytes lines on top. Filled in by `heapbench plot` with:
#   term, outfile, datafile   columns: t_s, then the stack's running sums in
#                             MiB (2 live, 3 +in use beyond live, 4 +free in
#                             partly used pages, 5 +free pages kept,
#                             6 +metadata, 7 +rest of the process,
#                             8 +unaccounted), 9 RSS, 10 live
#   title                     text
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
set title title
set xlabel "time in the anatomy child (s)"
set ylabel "MiB"
set grid lc rgb "#dddddd"
set key outside right top vertical
set autoscale xfix
set yrange [0:*]
set style fill solid 0.9 noborder
plot datafile using 1:8 with filledcurves x1 lc rgb "#c7c7c7" title "unaccounted", \
     '' using 1:7 with filledcurves x1 lc rgb "#e5e5e5" title "rest of the process", \
     '' using 1:6 with filledcurves x1 lc rgb "#9467bd" title "metadata", \
     '' using 1:5 with filledcurves x1 lc rgb "#ff7f0e" title "free pages kept (retention)", \
     '' using 1:4 with filledcurves x1 lc rgb "#d62728" title "free in partly used pages (fragmentation)", \
     '' using 1:3 with filledcurves x1 lc rgb "#e7ba52" title "in use beyond live (rounding)", \
     '' using 1:2 with filledcurves x1 lc rgb "#98df8a" title "live objects (requested)", \
     '' using 1:9 with lines lw 2 lc rgb "#000000" title "RSS", \
     '' using 1:10 with lines lw 2 lc rgb "#2ca02c" title "live bytes"
