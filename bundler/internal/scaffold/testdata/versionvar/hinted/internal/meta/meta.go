package meta

var AppVersion string

var Secret string
