module example.com/nested/v2

go 1.21
