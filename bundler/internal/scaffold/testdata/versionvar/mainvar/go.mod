module example.com/mainvar

go 1.21
