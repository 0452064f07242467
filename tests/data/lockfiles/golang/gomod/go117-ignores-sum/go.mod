module example.com/new

go 1.17

require github.com/direct/one v1.2.0
