module example.com/broken

go 1.21

require github.com/a/b v1.0.0

replace github.com/a/b => github.com/fork/b
