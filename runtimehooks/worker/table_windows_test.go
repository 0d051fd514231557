package worker

// openTestTable opens a table; Windows tables are named objects, so dir
// plays no part and the app id alone keeps tests apart.
func openTestTable(_, app string, slots int) (*processTable, error) {
	return openTable(app, slots)
}
