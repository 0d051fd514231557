package appfiles

import "io/fs"

// oNonBlock is none on Windows, where a named pipe is not a file in a
// folder.
const oNonBlock = 0

// links is 1 on Windows: FileInfo does not carry the link count there,
// and files do not have Unix modes to leak.
func links(fs.FileInfo) uint64 { return 1 }
