# trend.gp — one benchmark across commits (heapbench history --trend):
# median time with min–max error bars, x labelled by commit.
#   term, outfile, datafile   rows: index commit median min max
#   title, color
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
set title title
set ylabel "median time per iteration (ns)"
set xlabel "commit (oldest to newest)"
set grid lc rgb "#dddddd"
set xtics rotate by -30 left nomirror
set offsets 0.5, 0.5, 0, 0
plot datafile using 1:3:4:5:xtic(2) with yerrorlines lw 2 pt 7 lc rgb color notitle
