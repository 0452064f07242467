module example.com/broken

go 1.21

require github.com/a/b
