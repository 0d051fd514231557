// Command telemetryapp is a language server that starts telemetry, as
// gopls does.
package main

import "golang.org/x/telemetry"

func main() {
	telemetry.Start(telemetry.Config{Upload: true})
}
