package build

import "example.com/nested/v2/internal/other"

// Version is overridden by the Makefile.
var Version = "DEV"

// Date is set at build time.
var Date = ""

var _ = other.Count
