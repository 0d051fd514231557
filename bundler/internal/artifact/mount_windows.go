package artifact

// sameMount is always true on Windows: a volume is mounted at a folder
// there, which removeOwned never enters.
func sameMount(dir, path string) (bool, error) { return true, nil }
