// Command noexec starts no program at all.
package main

import "fmt"

func main() {
	fmt.Println("hello")
}
