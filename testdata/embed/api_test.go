package main

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/bundlekit/bundle/bundler"
)

// TestPublicTypes names every field of every public type with a value of
// its type, so that a field removed, renamed or retyped fails to compile
// here, and checks that each type is declared in package bundler: an alias
// of an internal type would work here too, but go doc would show none of
// its fields.
func TestPublicTypes(t *testing.T) {
	var w bytes.Buffer
	for _, v := range []any{
		bundler.BuildOptions{Config: "", Version: "", EnvVersion: "", Snapshot: false, Targets: []string{}, Formats: []string{}, Dist: "", Clean: false, Parallel: 0, SkipUnavailable: false, SourceDateEpoch: "", Strict: false, ToolVersion: "", Split: false, Skip: []string{}, Bundle: "", OnEvent: func(bundler.Event) {}},
		bundler.BuildResult{Manifest: bundler.Manifest{}, Version: &semver.Version{}, VersionSource: "", GoVersion: "", Skips: []bundler.Skip{}},
		bundler.Event{Kind: bundler.Started, Target: bundler.Target{}, Format: "", Artifact: bundler.Artifact{}, Elapsed: time.Second, Message: ""},
		bundler.Skip{Format: "", Reason: ""},
		bundler.Target{OS: "", Arch: ""},
		bundler.Manifest{Name: "", Version: "", Partial: false, Artifacts: []bundler.Artifact{}},
		bundler.Artifact{Path: "", OS: "", Arch: "", Format: "", Size: int64(0), SHA256: ""},
		bundler.Report{Executable: &bundler.Executable{}, Package: &bundler.Package{}, MacApp: &bundler.MacApp{}, Archive: &bundler.Archive{}, MSI: &bundler.MSI{}},
		bundler.Executable{Path: "", Format: "", OS: "", Arch: "", GoVersion: "", Module: "", Hook: bundler.Hook{}, Size: int64(0), ReadInPart: "", Resources: &bundler.WindowsResources{}, ResourcesError: "", Signed: new(bool), CodeSignature: &bundler.CodeSignature{}},
		bundler.Hook{Present: false, Unknown: "", Guard: "", Grace: "", MaxProcs: ""},
		bundler.WindowsResources{IconSizes: []int{}, Manifest: "", Version: &bundler.VersionInfo{}},
		bundler.VersionInfo{FileVersion: [4]uint16{}, ProductVersion: [4]uint16{}, Prerelease: false, Language: uint16(0), CodePage: uint16(0), Strings: []bundler.VersionString{}},
		bundler.VersionString{Key: "", Value: ""},
		bundler.CodeSignature{Identifier: "", TeamID: "", Signer: "", Flags: []string{}, Entitlements: []string{}, Timestamp: ""},
		bundler.Package{Path: "", Format: "", Fields: []bundler.Field{}, Files: []string{}, Unsafe: []string{}},
		bundler.Field{Key: "", Value: ""},
		bundler.MacApp{Path: "", Bundle: "", Plist: []bundler.Field{}, Arches: []string{}, CodeSignature: &bundler.CodeSignature{}, Sealed: false, ExecutableReadInPart: ""},
		bundler.Archive{Path: "", Format: "", Folder: "", Entries: []bundler.Entry{}, Executable: &bundler.Executable{}},
		bundler.Entry{Path: "", Type: "", Size: int64(0), Mode: "", Target: "", Unsafe: ""},
		bundler.MSI{Path: "", ProductName: "", ProductVersion: "", Manufacturer: "", ProductCode: "", UpgradeCode: "", PackageCode: "", Arch: "", InstallScope: "", ElevationRequired: false, Signed: false, Summary: []bundler.Field{}, Properties: []bundler.Field{}, Files: []bundler.MSIFile{}, Shortcuts: []string{}},
		bundler.MSIFile{Path: "", Size: int64(0)},
		bundler.InitResult{Name: "", ID: "", Binary: "", Main: "", Description: "", NoDescription: false, Targets: []string{}, OtherMains: []string{}, License: bundler.License{}, ManPages: []bundler.File{}, VersionVar: "", VersionFormat: "", FormatWhy: "", Tags: []string{}, TagsWhy: ""},
		bundler.License{File: "", SPDX: "", Copyright: ""},
		bundler.File{Src: "", Dst: ""},
		bundler.Gitignore{Path: "", Change: bundler.GitignoreWritten, Refused: ""},
		bundler.ToolCheck{Name: "", Command: "", NeededBy: []string{}, Required: false, Found: false, Path: "", Version: "", Install: ""},
		bundler.VerifyOptions{Path: "", Args: []string{}, Watch: time.Second, Interval: time.Second, Grace: time.Second, Stdout: &w, Stderr: &w},
		bundler.VerifyReport{MaxProcs: 0, Distinct: 0, Samples: 0, Elapsed: time.Second, Exited: false, ExitCode: 0, Killed: 0},
	} {
		if typ := reflect.TypeOf(v); typ.PkgPath() != "github.com/bundlekit/bundle/bundler" {
			t.Errorf("bundler.%s is declared in %s: declare it in package bundler", typ.Name(), typ.PkgPath())
		}
	}
}
