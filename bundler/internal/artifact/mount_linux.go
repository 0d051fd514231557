package artifact

import "golang.org/x/sys/unix"

// sameMount reports whether path (not followed if a link) is on the same
// mount as dir. The mount ID tells a bind mount of a file from the same
// file system, which the device number does not.
func sameMount(dir, path string) (bool, error) {
	var a, b unix.Statx_t
	const mask = unix.STATX_MNT_ID | unix.STATX_INO
	if err := unix.Statx(unix.AT_FDCWD, dir, unix.AT_SYMLINK_NOFOLLOW, mask, &a); err != nil {
		return false, err
	}
	if err := unix.Statx(unix.AT_FDCWD, path, unix.AT_SYMLINK_NOFOLLOW, mask, &b); err != nil {
		return false, err
	}
	if a.Mask&b.Mask&unix.STATX_MNT_ID != 0 {
		return a.Mnt_id == b.Mnt_id, nil
	}
	return a.Dev_major == b.Dev_major && a.Dev_minor == b.Dev_minor, nil
}
