# make bench's plots, from the tables tests/bench/run.sh writes: gnuplot -e
# "dir='DIR'; outdir='bench'" tests/bench/plot.gp
set terminal svg size 820,420 dynamic font "sans,11" background rgb "white"
set datafile separator "\t"
set grid ytics

set output outdir.'/ratios.svg'
set title "nfsec over XFRM, the same figure in the same run (above 1: nfsec faster)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set yrange [0:*]
set ylabel "nfsec / XFRM"
set xtics rotate by -30 nomirror
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "black"
plot dir.'/ratios.tsv' using 2:xtic(1) notitle lc rgb "#3070b0"

set output outdir.'/policies.svg'
unset arrow 1
set style data linespoints
set title "UDP 64-byte packets/s forwarded by a gateway with N outbound policies"
set logscale x
set xlabel "policies (N)"
set ylabel "packets/s"
set xtics norotate
set key bottom left
plot dir.'/policies.tsv' using ($2):(strcol(1) eq "exact" ? $3 : NaN) title "nfsec, exact" lw 2 lc rgb "#3070b0", \
     '' using ($2):(strcol(1) eq "inexact" ? $3 : NaN) title "nfsec, inexact" lw 2 dt 2 lc rgb "#3070b0", \
     '' using ($2):(strcol(1) eq "exact" ? $4 : NaN) title "XFRM, exact" lw 2 lc rgb "#c04030", \
     '' using ($2):(strcol(1) eq "inexact" ? $4 : NaN) title "XFRM, inexact" lw 2 dt 2 lc rgb "#c04030"
