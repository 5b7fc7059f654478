# heatmap.gp — the main figure: every workload (rows) × adapter (columns),
# each cell coloured by its ratio to the baseline on a log2 scale (white =
# the baseline, blue faster/smaller, red slower/larger; ColorBrewer RdBu,
# colour-blind safe) with the ratio printed in it. Rows the baseline could
# not run are left out (report.html's tables show them). Grey: no ok cell.
# Filled in by `heapbench plot` (harness/cli/plot_heatmap.c) with:
#   term, outfile, datafile   data: x y log2ratio "text" "row (value)" "column" "row"
#                             (log2ratio "?" where there is no value)
#   nrows, ncols, lim         grid size; colour range [-lim, lim] (log2)
#   tm                        top margin (characters) for the adapters' names
#   lname                     the longest row name
#   title, cblabel            texts
set terminal @term
set output outfile
set encoding utf8
set termoption noenhanced
set datafile missing "?"
esc1(s, c) = (q = strstrt(s, c)) ? s[1:q-1] . "\\" . c . esc1(s[q+1:], c) : s
tx(s) = (exists("latex") && latex) ? esc1(esc1(esc1(s, "%"), "_"), "#") : s
if (!exists("latex") || !latex) set title title
set palette defined (-1 "#4393C3", -0.5 "#92C5DE", 0 "#F7F7F7", 0.5 "#F4A582", 1 "#D6604D")
set cbrange [-lim:lim]
set cbtics ("1/8" -3, "1/4" -2, "1/2" -1, "0.7" -0.515, "1" 0, "1.4" 0.485, "2" 1, "4" 2, "8" 3)
set cblabel tx(cblabel) offset 0.5,0
set xrange [0.5:ncols+0.5]
set yrange [0.5:nrows+0.5]
set x2tics rotate by 45 left nomirror scale 0
unset xtics
set ytics nomirror scale 0
set border 0
set tmargin tm
# margins from the names' lengths: cw is one character's share of the width
cw = (GPVAL_TERM eq "pdfcairo") ? 0.0145 : (GPVAL_TERM eq "cairolatex") ? 0.017 : 0.0128
lchars = lname
set lmargin at screen (lchars * cw + 0.02 < 0.55 ? lchars * cw + 0.02 : 0.55)
set rmargin at screen 1 - 11 * cw
set style fill solid 1.0 noborder
# the numbers in the cells a little smaller than the labels
cf = (GPVAL_TERM eq "pdfcairo") ? ",5" : (GPVAL_TERM eq "cairolatex") ? "" : ",13"
plot datafile using 1:2:(0.5):(0.5):x2tic(6):ytic(7) with boxxyerror fc rgb "#DDDDDD" notitle, \
     '' using 1:2:(0.48):(0.48):3 with boxxyerror fc palette notitle, \
     '' using 1:2:(tx(strcol(4))) with labels font cf notitle
