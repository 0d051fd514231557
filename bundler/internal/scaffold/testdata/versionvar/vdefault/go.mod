module example.com/vdefault

go 1.21
