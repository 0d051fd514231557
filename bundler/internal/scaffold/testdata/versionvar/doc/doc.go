package doc

// CustomVersion overrides the version; set it with
// -ldflags '-X example.com/doc.CustomVersion=v1.2.3'.
var CustomVersion string

// Version is computed, not set.
func Version() string { return CustomVersion }
