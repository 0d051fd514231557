package icons

import "testing"

func BenchmarkICO(b *testing.B) {
	src := mustLoad(b, exampleIcon)
	for b.Loop() {
		if _, err := ICO(src, ICOSizes); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkICNS(b *testing.B) {
	src := mustLoad(b, exampleIcon)
	for b.Loop() {
		if _, err := ICNS(src); err != nil {
			b.Fatal(err)
		}
	}
}
