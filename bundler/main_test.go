package bundler_test

import (
	"testing"

	"github.com/bundlekit/bundle/bundler/internal/buildtest"
)

func TestMain(m *testing.M) { buildtest.Main(m) }
