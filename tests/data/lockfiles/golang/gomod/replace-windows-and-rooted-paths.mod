module example.com/paths

go 1.21

require (
	github.com/win/dows v1.0.0
	github.com/root/ed v1.0.0
	github.com/up/level v1.0.0
	github.com/kept/mod v1.0.0
)

replace github.com/win/dows => C:\src\dows

replace github.com/root/ed v1.0.0 => /opt/src/ed

replace github.com/up/level => ..\level

// A version-specific replacement wins over a wildcard one, whatever the order.
replace github.com/kept/mod v1.0.0 => github.com/kept/fork v1.0.1

replace github.com/kept/mod => ./kept
