module example.com/crlf

go 1.20

require (
	github.com/crlf/one v1.0.0
	github.com/crlf/two v2.1.0 // indirect
)
