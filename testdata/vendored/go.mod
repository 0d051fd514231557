module example.com/vendored

go 1.21

require example.com/greet v0.1.0

replace example.com/greet => ./third_party/greet
