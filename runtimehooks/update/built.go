package update

// Set by bundle build at link time (-X) in an app that imports this
// package and has an update section in bundle.yaml: Config's defaults.
var (
	builtFeedURL string
	builtApp     string
	builtKeys    string // comma-separated minisign public keys
	builtChannel string
	builtVersion string
)
