module example.com/old

go 1.16

require (
	github.com/direct/one v1.2.0
	github.com/replaced/old v1.0.0
)

replace github.com/replaced/old => github.com/replaced/new v1.1.0
