module example.com/broken

go 1.21

require (
	github.com/a/b v1.0.0
	github.com/c/d v1.0.0
