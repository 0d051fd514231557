// Package icons turns the one square PNG a project names as its icon into
// every icon file the formats need: a multi-size .ico for Windows (exe
// resources, NSIS, MSI), hicolor PNGs for the Linux packages and an .icns
// for the macOS .app. Every encoder is deterministic: the same source
// pixels always give the same bytes, so artifacts stay reproducible.
package icons
