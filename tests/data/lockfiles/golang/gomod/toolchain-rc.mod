module example.com/rc

go 1.22rc1

toolchain go1.22rc2

require golang.org/x/text v0.14.0
