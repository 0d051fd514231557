module example.com/present

go 1.21
