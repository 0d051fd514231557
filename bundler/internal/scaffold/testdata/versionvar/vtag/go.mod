module example.com/vtag

go 1.21
