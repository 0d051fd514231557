// Package feed is the layout of bundle's update feeds and what verifies
// one: the feed's fields, minisign signatures, semantic versions and the
// URL rule. It has no init and starts nothing, so bundle itself builds
// feeds with it; package update, which apps import, adds the client.
package feed
