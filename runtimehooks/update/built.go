package update

// Set by bundle build at link time (-X) in an app that imports this
// package and has an update section in bundle.yaml: Config's defaults.
var (
	builtFeedURL string
	builtApp     string // query-escaped: -ldflags cannot carry both kinds of quote
	builtKeys    string // comma-separated minisign public keys
	builtChannel string
	builtVersion string
	builtMSIKey  string // query-escaped: the registry key an MSI install records InstallDir under
)
