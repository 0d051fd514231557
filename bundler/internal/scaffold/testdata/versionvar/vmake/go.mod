module example.com/vmake

go 1.21
