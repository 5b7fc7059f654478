module heapbench/hb-go

go 1.19
