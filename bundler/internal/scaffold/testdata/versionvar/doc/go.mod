module example.com/doc

go 1.21
