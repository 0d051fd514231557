module example.com/hinted

go 1.21
