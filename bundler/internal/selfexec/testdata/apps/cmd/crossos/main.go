// Command crossos starts itself again only in its Windows build.
package main

func main() {
	relaunch()
}
