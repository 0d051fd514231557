package macsign

import (
	"testing"

	"github.com/bundlekit/bundle/internal/testexe"
)

// FuzzRead: bundle inspect reads any file; no input may panic Read.
func FuzzRead(f *testing.F) {
	exe := testexe.Darwin(f, "arm64") // linker-signed
	f.Add(exe[:8192])
	f.Add(append(append([]byte{}, exe[:4096]...), exe[len(exe)-4096:]...))
	f.Add([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		Read(data)
	})
}
