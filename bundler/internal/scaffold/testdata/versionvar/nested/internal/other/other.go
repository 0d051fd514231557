package other

// Version here is a number, which -X cannot set.
var Version = 3

var Count int
