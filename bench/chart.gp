# bench/run.sh's chart: requests per second and CPU per request of every target, one bar per concurrency.
# Run in a results folder: reads rps.dat, cpu.dat and chart.vars written by report.py, writes chart.png.
load 'chart.vars'
set terminal pngcairo size 1400,900 font ",11"
set output 'chart.png'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top right
set grid ytics
set xtics rotate by -25
set multiplot layout 2,1
set title "Requests per second (higher is better)"
set logscale y
set ylabel "req/s (log scale)"
plot for [i=2:ncol+1] 'rps.dat' using i:xtic(1) title columnheader(i)
unset logscale y
set title "CPU per request, target process tree (lower is better)"
set ylabel "µs per request"
plot for [i=2:ncol+1] 'cpu.dat' using i:xtic(1) title columnheader(i)
unset multiplot
