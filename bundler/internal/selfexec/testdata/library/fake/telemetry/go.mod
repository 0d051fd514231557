module golang.org/x/telemetry

go 1.21
