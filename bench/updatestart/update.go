//go:build update

package main

import "github.com/bundlekit/bundle/runtimehooks/update"

func init() { healthy = update.Healthy }
