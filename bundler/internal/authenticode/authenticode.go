// Package authenticode signs Windows executables and installers (.exe, .msi,
// NSIS setup programs) with an Authenticode certificate through
// osslsigncode, and verifies such signatures.
//
// The certificate and key come from a PKCS#12 (.pfx/.p12) file. Its
// password never reaches a command line, where other users could read it
// in the process list, nor an environment or a file on disk: osslsigncode
// and openssl read it from a pipe (proc.PassSecret), and their output is
// never passed on with the password in it.
//
// With Signer.Time set, signing is byte-reproducible: the same file, key and
// time give the same signed file. The time must lie within the
// certificate's validity, or verification fails with "certificate is not
// yet valid". A timestamp from a time-stamping server (TimestampURL)
// carries the server's own time, so a timestamped signature is not
// reproducible.
package authenticode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bundlekit/bundle/bundler/internal/config"
	"github.com/bundlekit/bundle/bundler/internal/exitcode"
	"github.com/bundlekit/bundle/bundler/internal/proc"
	"github.com/bundlekit/bundle/bundler/internal/tool"
)

// Tool is osslsigncode, which signs and verifies Authenticode signatures.
var Tool = tool.Tool{
	Name:        "osslsigncode",
	Command:     "osslsigncode",
	VersionArgs: []string{"--version"},
	Debian:      "osslsigncode",
	Homebrew:    "osslsigncode",
	Windows:     "download it from https://github.com/mtrojnar/osslsigncode/releases",
}

// Signer signs files with one certificate.
type Signer struct {
	PFX          string     // the PKCS#12 file with the certificate and its key
	Password     string     // the PFX password, "" for none
	PasswordEnv  string     // the environment variable the password came from, for messages
	TimestampURL string     // RFC 3161 time-stamping server, "" for none
	Description  string     // shown by Windows as the signed program's name (-n)
	URL          string     // the publisher's web page (-i), "" for none
	Time         *time.Time // the signing time; nil for now
	// Scratch is a folder for the signed copy; "" puts it beside the file.
	// A build sets its work folder, so nothing of the signing ever
	// appears in dist.
	Scratch string
}

// FromConfig builds a Signer from sign.windows, with the PFX path relative
// to dir and the password looked up (os.LookupEnv, for a build) under the
// environment variable the config names. It returns nil and no error when
// c is nil (nothing to sign). name
// and homepage become the signature's description and URL. Its errors are
// configuration errors (exit 2) in one line naming the sign.windows field,
// and never hold the password.
func FromConfig(dir string, c *config.WindowsSign, name, homepage string, lookup func(string) (string, bool)) (*Signer, error) {
	if c == nil {
		return nil, nil
	}
	pfx := c.PFXFile
	if !filepath.IsAbs(pfx) {
		pfx = filepath.Join(dir, filepath.FromSlash(pfx))
	}
	info, err := os.Stat(pfx)
	switch {
	case err != nil:
		return nil, exitcode.Config(fmt.Errorf("sign.windows.pfx_file: %s does not exist; fix the path (relative to bundle.yaml)", c.PFXFile))
	case info.IsDir():
		return nil, exitcode.Config(fmt.Errorf("sign.windows.pfx_file: %s is a folder, not a .pfx file", c.PFXFile))
	}
	s := &Signer{PFX: pfx, PasswordEnv: c.PasswordEnv, TimestampURL: c.TimestampURL, Description: name, URL: homepage}
	if c.PasswordEnv != "" {
		pass, ok := lookup(c.PasswordEnv)
		if !ok {
			return nil, exitcode.Config(fmt.Errorf("sign.windows.password_env: $%s is not set; export it with the PFX password", c.PasswordEnv))
		}
		if strings.ContainsAny(pass, "\r\n") {
			return nil, exitcode.Config(fmt.Errorf("sign.windows.password_env: $%s holds a line break, which osslsigncode cannot read as part of a password", c.PasswordEnv))
		}
		s.Password = pass
	}
	return s, nil
}

// Sign signs the file at path in place. osslsigncode writes the signed copy
// to a temporary file (it refuses to overwrite a file) in Scratch, or
// beside path when Scratch is "", which then replaces the original with its
// permissions; on error the original is left as it was and nothing else
// remains.
func (s *Signer) Sign(ctx context.Context, path string) error {
	cmdPath, err := tool.Find(Tool, "Authenticode signing")
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
	}
	scratch := s.Scratch
	if scratch == "" {
		scratch = filepath.Dir(path) // same file system, for the rename
	}
	out, err := os.MkdirTemp(scratch, ".sign-")
	if err != nil {
		return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
	}
	defer os.RemoveAll(out)
	signed := filepath.Join(out, filepath.Base(path))

	var log bytes.Buffer
	cmd := proc.Command(ctx, cmdPath)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.Stdin = nil // never a terminal to prompt on
	args := []string{"sign", "-pkcs12", s.PFX}
	if s.Password != "" {
		passFile, done, err := proc.PassSecret(cmd, []byte(s.Password))
		if err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		defer done()
		args = append(args, "-readpass", passFile)
	}
	args = append(args, "-h", "sha256")
	if s.Description != "" {
		args = append(args, "-n", s.Description)
	}
	if s.URL != "" {
		args = append(args, "-i", s.URL)
	}
	if s.TimestampURL != "" {
		args = append(args, "-ts", s.TimestampURL)
	}
	if s.Time != nil {
		args = append(args, "-time", strconv.FormatInt(s.Time.Unix(), 10))
	}
	args = append(args, "-in", path, "-out", signed)
	cmd.Args = append(cmd.Args, args...)
	runErr := cmd.Run()
	if runErr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.failure(path, log.String())
	}
	if err := os.Chmod(signed, info.Mode().Perm()); err != nil {
		return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
	}
	if s.Time != nil {
		if err := stampAppxSignature(signed, *s.Time); err != nil {
			return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
		}
	}
	if err := replace(path, signed); err != nil {
		return fmt.Errorf("sign %s: %w", filepath.Base(path), err)
	}
	return nil
}

// replace puts the content of from in path: a rename, or, when from is on
// another file system than path, a copy into path.
func replace(path, from string) error {
	if err := os.Rename(from, path); err == nil {
		return nil
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// failure turns osslsigncode's output into one line without the password.
func (s *Signer) failure(path, out string) error {
	pfx := filepath.Base(s.PFX)
	if strings.Contains(out, "PKCS#12") || strings.Contains(out, "PKCS12") || strings.Contains(out, "mac verify failure") {
		switch {
		case s.Password != "":
			return exitcode.Config(fmt.Errorf("sign.windows: the PFX password in $%s does not open %s", s.PasswordEnv, pfx))
		case s.PasswordEnv != "":
			return exitcode.Config(fmt.Errorf("sign.windows: $%s is empty and %s needs a password; export the PFX password in it", s.PasswordEnv, pfx))
		default:
			return exitcode.Config(fmt.Errorf("sign.windows: %s does not open without a password; set sign.windows.password_env to the variable that holds it", pfx))
		}
	}
	return fmt.Errorf("osslsigncode could not sign %s: %s", filepath.Base(path), s.redact(lastLine(out)))
}

// redact removes the password from text that is shown.
func (s *Signer) redact(text string) string {
	if s.Password == "" {
		return text
	}
	return strings.ReplaceAll(text, s.Password, "***")
}

// Verify checks the Authenticode signature of the file at path with
// osslsigncode verify, trusting the certificates in caFile (PEM), or the
// system's when caFile is "".
func Verify(ctx context.Context, path, caFile string) error {
	cmdPath, err := tool.Find(Tool, "Authenticode verification")
	if err != nil {
		return err
	}
	args := []string{"verify"}
	if caFile != "" {
		args = append(args, "-CAfile", caFile)
	}
	args = append(args, "-in", path)
	var log bytes.Buffer
	cmd := proc.Command(ctx, cmdPath, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	err = cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil || !strings.Contains(log.String(), "Signature verification: ok") {
		return errors.New(filepath.Base(path) + ": the Authenticode signature does not verify: " + verifyReason(log.String()))
	}
	return nil
}

// verifyReason picks the line of osslsigncode verify's output that says
// what went wrong.
func verifyReason(out string) string {
	if strings.Contains(out, "Unable to extract existing signature") || strings.Contains(out, "No signature found") {
		return "the file is not signed"
	}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if r, ok := strings.CutPrefix(l, "Error: "); ok {
			return r
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "Signature verification: ") || strings.HasPrefix(l, "Message digest mismatch") {
			return l
		}
	}
	return lastLine(out)
}

// lastLine is the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && l != "Failed" {
			return l
		}
	}
	return "no output"
}

// OpenSSL reads the certificates out of the PFX, so signatures can be
// verified right after signing.
var OpenSSL = tool.Tool{Name: "OpenSSL", Command: "openssl", VersionArgs: []string{"version"}, Debian: "openssl", Homebrew: "openssl"}

// systemCAs are the usual places of the system's trusted certificates.
var systemCAs = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}

// TrustFile writes, into dir, a PEM file that trusts the PFX's own
// certificates and the system's: Verify with it passes for a certificate
// from a public CA and for a self-signed or in-house one alike, and fails
// for a broken or tampered signature. The password goes to openssl
// through a pipe, never on its command line.
func (s *Signer) TrustFile(ctx context.Context, dir string) (string, error) {
	openssl, err := tool.Find(OpenSSL, "sign.windows (verifying signatures)")
	if err != nil {
		return "", err
	}
	var out, log bytes.Buffer
	cmd := proc.Command(ctx, openssl)
	cmd.Stdout, cmd.Stderr = &out, &log
	// openssl reads the first line; without its line break an empty
	// password (a PFX without one) would be no line at all.
	pass, done, err := proc.PassSecret(cmd, []byte(s.Password+"\n"))
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	defer done()
	cmd.Args = append(cmd.Args, "pkcs12", "-in", s.PFX, "-nokeys", "-passin", "file:"+pass)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", exitcode.Config(fmt.Errorf("sign.windows: the PFX password in $%s does not open %s", s.PasswordEnv, filepath.Base(s.PFX)))
	}
	for _, p := range systemCAs {
		if data, err := os.ReadFile(p); err == nil {
			out.WriteByte('\n')
			out.Write(data)
			break
		}
	}
	trust := filepath.Join(dir, "trust.pem")
	return trust, os.WriteFile(trust, out.Bytes(), 0o644)
}
