// Command tagged starts itself again only when built with the "relaunch" tag.
package main

func main() {
	relaunch()
}
