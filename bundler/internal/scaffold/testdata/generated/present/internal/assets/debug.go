//go:build linux && debug

package assets
