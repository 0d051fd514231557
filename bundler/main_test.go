package bundler_test

import (
	"testing"

	"github.com/bundlekit/bundle/internal/buildtest"
)

func TestMain(m *testing.M) { buildtest.Main(m) }
