package update

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/windows"
)

// replace puts src at dst. Windows refuses to rename over a running
// executable, but lets it be renamed away: so replace first tries one
// POSIX-semantics rename (Windows 10 1809 and later replace an open file
// that way), and otherwise moves dst into the folder aside and src into
// its place: two renames, with a moment between them when dst is missing.
func replace(src, dst, aside string) error {
	if err := posixRename(src, dst); err == nil {
		return nil
	}
	err := os.Rename(src, dst)
	if err == nil {
		return nil
	}
	if _, serr := os.Lstat(dst); serr != nil {
		return err
	}
	if err := os.MkdirAll(aside, 0o755); err != nil {
		return err
	}
	away := filepath.Join(aside, filepath.Base(dst)+"."+strconv.FormatInt(int64(os.Getpid()), 10)+"."+strconv.Itoa(asideCount()))
	if err := os.Rename(dst, away); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		if rerr := os.Rename(away, dst); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

var asides atomic.Int64

func asideCount() int { return int(asides.Add(1)) }

// fileRenameInfo is FILE_RENAME_INFO with its flags (FileRenameInfoEx).
type fileRenameInfo struct {
	Flags          uint32
	RootDirectory  windows.Handle
	FileNameLength uint32
	FileName       [1]uint16
}

const (
	renameReplaceIfExists = 0x1 // FILE_RENAME_FLAG_REPLACE_IF_EXISTS
	renamePOSIXSemantics  = 0x2 // FILE_RENAME_FLAG_POSIX_SEMANTICS
)

func posixRename(src, dst string) error {
	abs, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	name, err := windows.UTF16FromString(abs)
	if err != nil {
		return err
	}
	from, err := windows.UTF16PtrFromString(src)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(from, windows.DELETE|windows.SYNCHRONIZE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	var info fileRenameInfo
	size := int(unsafe.Offsetof(info.FileName)) + len(name)*2
	buf := make([]byte, size)
	p := (*fileRenameInfo)(unsafe.Pointer(&buf[0]))
	p.Flags = renameReplaceIfExists | renamePOSIXSemantics
	p.FileNameLength = uint32((len(name) - 1) * 2) // without the NUL
	copy(unsafe.Slice(&p.FileName[0], len(name)), name)
	return windows.SetFileInformationByHandle(h, windows.FileRenameInfoEx, &buf[0], uint32(size))
}
