# e2e_report.sh HB MODE — `heapbench report` over a tiny real run (three
# adapters, two workloads, 6 repetitions) with a hand-made conformance
# matrix beside it. MODE tables: LaTeX/Markdown/CSV/summary and bad input;
# html: report.html rendered by headless Chromium (its self-check element
# counts the drawn figures; the first figure's region of the screenshot must
# be inked); latex: pdflatex compiles a document that \inputs report.tex and
# one cairolatex figure. Exit 77 (skip) only when the tool is absent.
. "$(dirname "$0")/lib.sh"
MODE=${2:?mode: tables, html or latex}
R="$T/run"
expect_rc 0 "$HB" run --adapters system,mimalloc,jemalloc --workloads heap/pairs,heap/churn --repetitions 6 \
    --min-time 0.01 --param ops=20000 --out "$R"
mkdir -p "$R/conformance"
cat >"$R/conformance/conformance.json" <<'J'
{"schema":"heapbench-conformance/1","properties":[{"name":"align","kind":"rule"},{"name":"returns-memory","kind":"trait"}],
 "matrix":[{"adapter":"system","property":"align","kind":"rule","status":"pass","detail":""},
  {"adapter":"mimalloc","property":"align","kind":"rule","status":"fail","detail":"misaligned 8"},
  {"adapter":"system","property":"returns-memory","kind":"trait","status":"fail","detail":"kept"},
  {"adapter":"mimalloc","property":"returns-memory","kind":"trait","status":"pass","detail":""}]}
J

tables() {
    expect_rc 0 "$HB" report "$R" --format latex
    for s in '\toprule' '\midrule' '\bottomrule' 'geometric mean' '\textbf{' '6 repetitions per cell' \
        'confidence intervals of the median from order statistics' '\label{tab:heapbench-time}' 'heap/pairs'; do
        grep -qF -- "$s" "$T/out" || fail "LaTeX lacks '$s'"
    done
    [ "$(grep -c '\\begin{tabular}' "$T/out")" = 2 ] || fail "LaTeX: not two tables"
    expect_rc 0 "$HB" report "$R" --format markdown
    cmp -s "$T/out" "$R/report.md" || fail "markdown differs from report.md"
    expect_rc 0 "$HB" report "$R" --format csv --out "$T/t.csv"
    head -1 "$T/t.csv" | grep -q '^metric,unit,workload,adapter,median,ci_low,ci_high' || fail "CSV header"
    [ "$(wc -l <"$T/t.csv")" = 13 ] || fail "CSV: want 12 lines of data (2 metrics x 6 cells)"
    # the CI brackets the median: ci_low <= median <= ci_high on every time line
    awk -F, '$1=="time" && !($6<=$5 && $5<=$7) {exit 1}' "$T/t.csv" || fail "CSV: an interval misses its median"
    expect_rc 0 "$HB" report "$R" --format summary
    [ "$(wc -l <"$T/out")" = 5 ] || fail "summary is not five lines"
    grep -qF "report: $R/report.html" "$T/out" || fail "summary lacks the report's path"
    grep -q '^time, geometric mean / system: mimalloc [0-9.]* jemalloc [0-9.]*$' "$T/out" || fail "summary: time"
    grep -qF 'conformance: 1 rule failure: mimalloc align' "$T/out" || fail "summary: conformance"
    expect_rc 2 "$HB" report "$R" --format pdf
    expect_err "--format takes"
    expect_rc 2 "$HB" report
    expect_err "RUN missing"
    expect_rc 2 "$HB" report "$T/nosuch"
    expect_err "$T/nosuch"
}

html() {
    command -v chromium >/dev/null || { echo "SKIP: chromium absent (scripts/deps installs it)"; exit 77; }
    expect_rc 0 "$HB" plot "$R" --format svg
    expect_rc 0 "$HB" report "$R" --format html --out "$R/report.html"
    nsvg=$(ls "$R/plots"/*.svg | wc -l)
    grep -qE '<(script|link|img|iframe|object)[^>]* (src|href)=' "$R/report.html" && fail "report.html loads a file"
    grep -qF '<td class="fail"' "$R/report.html" || fail "no failed rule in the conformance matrix"
    C="chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=$T/chr"
    timeout 60 $C --window-size=1200,2000 --virtual-time-budget=2000 --dump-dom "file://$R/report.html" >"$T/dom.html" 2>"$T/chr.err" ||
        { cat "$T/chr.err" >&2; fail "chromium --dump-dom failed"; }
    grep -qF "figures loaded: $nsvg of $nsvg" "$T/dom.html" || { grep selfcheck "$T/dom.html" >&2; fail "self-check: not all $nsvg figures drew"; }
    box=$(sed -n 's/.*id="selfcheck"[^>]*data-box="\([0-9,]*\)".*/\1/p' "$T/dom.html" | tr ',' ' ')
    [ -n "$box" ] || fail "self-check named no figure box"
    set -- $box
    timeout 60 $C --window-size=1200,$(($2 + $4 + 50)) --screenshot="$T/shot.png" "file://$R/report.html" 2>"$T/chr.err" ||
        { cat "$T/chr.err" >&2; fail "chromium --screenshot failed"; }
    python3 "$(dirname "$0")/png_region.py" "$T/shot.png" "$1" "$2" "$3" "$4" || fail "the first figure's region is blank"
    # the page's left margin beside the figure (body: 1100 px centred) is blank: the check can fail
    python3 "$(dirname "$0")/png_region.py" "$T/shot.png" 0 "$2" 30 "$4" && fail "a blank strip reads as inked"
    [ -n "${HB_KEEP_SHOT:-}" ] && cp "$T/shot.png" "$HB_KEEP_SHOT"
    return 0
}

latex() {
    command -v pdflatex >/dev/null || { echo "SKIP: pdflatex absent (scripts/deps installs texlive-latex-base)"; exit 77; }
    expect_rc 0 "$HB" plot "$R" --format tex
    [ -s "$R/plots/time-latex.tex" ] && [ -s "$R/plots/time-latex.pdf" ] || fail "no cairolatex time figure"
    expect_rc 0 "$HB" report "$R" --format latex --out "$R/report.tex"
    cat >"$R/paper.tex" <<'D'
\documentclass{article}
\usepackage{booktabs}\usepackage{graphicx}\usepackage{color}
\begin{document}
\input{report.tex}
\begin{figure}\centering\input{plots/time-latex.tex}\caption{Median time}\end{figure}
\end{document}
D
    (cd "$R" && TEXINPUTS=".:plots:" timeout 120 pdflatex -interaction=nonstopmode -halt-on-error paper.tex >"$T/tex.log" 2>&1) ||
        { tail -30 "$T/tex.log" >&2; fail "pdflatex failed"; }
    grep -q 'Output written on paper.pdf' "$T/tex.log" || fail "no PDF written"
    head -c 5 "$R/paper.pdf" | grep -q '%PDF-' || fail "paper.pdf is not a PDF"
}

$MODE
echo ok
