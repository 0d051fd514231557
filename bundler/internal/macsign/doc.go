// Package macsign signs macOS executables and .app bundles with a
// Developer ID certificate, on any operating system.
//
// The signature is the one Apple's codesign writes: an embedded SuperBlob at
// the end of __LINKEDIT holding a SHA-256 CodeDirectory (page hashes,
// special-slot hashes binding Info.plist, the requirements, the resource
// seal and the entitlements, the hardened-runtime flag), a designated
// requirement, the entitlements as XML and DER, and a detached CMS
// signature over the CodeDirectory. An .app also gets
// Contents/_CodeSignature/CodeResources, the seal over every other file.
//
// The blob formats are written here from Apple's published headers
// (cs_blobs.h, the Security framework's requirement opcodes) because no
// Go library for them is available to this project; debug/macho reads
// Mach-O files but does not write them. CMS comes from
// github.com/smallstep/pkcs7, PKCS#12 from software.sslmate.com/src/go-pkcs12
// and plists from howett.net/plist.
package macsign
