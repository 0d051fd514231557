module github.com/moby/sys/reexec

go 1.21
