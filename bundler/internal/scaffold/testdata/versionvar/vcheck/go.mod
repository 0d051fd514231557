module example.com/vcheck

go 1.21
