// A go.mod that uses every directive form the go command accepts.
module "example.com/quoted" // the module path may be quoted

go 1.21

godebug (
	default=go1.21
	panicnil=1
)

require (
	"github.com/quoted/double" v1.2.3
	`github.com/quoted/back` v0.4.0 // indirect
	github.com/plain/mod v2.0.0+incompatible
	github.com/semi/colon v1.0.0 // indirect; pulled in by github.com/plain/mod
	github.com/not/indirect v1.1.0 // indirectly useful, but direct
)

exclude github.com/plain/mod v1.9.9

exclude (
	github.com/quoted/double v1.2.2
)

retract [v0.1.0, v0.2.0] // published by mistake

retract (
	v0.0.1 // "//" inside a comment is fine
)

tool golang.org/x/tools/cmd/stringer

ignore ./node_modules
