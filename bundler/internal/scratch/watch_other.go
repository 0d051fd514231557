//go:build !unix

package scratch

// watch does nothing on Windows, which has no sh; the folder is removed by
// remove, and by the interrupt handling that calls it.
func watch(string) (stop func()) { return func() {} }
