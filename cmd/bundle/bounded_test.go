package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bundlekit/bundle/internal/testfs"
)

// Bounds every run of TestBoundedResources holds to: what the issue that
// found these inputs asked for.
const (
	boundMemory = 256 << 20
	boundTemp   = 64 << 20
)

// TestBoundedResources runs bundle on small hostile inputs that once took
// gigabytes of memory or temporary disk, or minutes: each ends with one
// line (or a report) under 256 MB of memory and 64 MB of temporary disk,
// with nothing left in the temporary folder. Wall time is logged; the
// README has the figures.
func TestBoundedResources(t *testing.T) {
	t.Parallel()
	elf := testfs.MustRun(t, "", "go", "env", "GOROOT") // any ELF's first bytes will do: the go command's
	goBin, err := os.ReadFile(filepath.Join(strings.TrimSpace(elf), "bin", "go"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		file string                          // written into the test's folder
		make func(t *testing.T, w io.Writer) // writes file
		args []string                        // bundle's arguments; FILE is the file's path
		code int
		want string // in stdout or stderr
	}{
		{"an .app zip holding a 4 GiB executable", "App.app.zip", func(t *testing.T, w io.Writer) {
			appZip(t, w, 4<<30)
		}, []string{"inspect", "FILE"}, 0, "executable read              in part: the first 64 MiB of 4 GiB"},
		{"a dmg that unpacks to 3 GiB", "App.dmg", func(t *testing.T, w io.Writer) {
			appZip(t, w, 3<<30) // 7-Zip opens an image by its content, whatever its name
		}, []string{"inspect", "FILE"}, 0, "in part: the first 64 MiB of 3 GiB"},
		{"a tar.gz holding a 1 GiB ELF", "app_1.0.0_linux_amd64.tar.gz", func(t *testing.T, w io.Writer) {
			tarGzELF(t, w, goBin[:4096], 1<<30)
		}, []string{"inspect", "FILE"}, 0, "in part: the first 64 MiB of 1 GiB"},
		{"a 1-bit 30000² PNG icon", "icon.png", func(t *testing.T, w io.Writer) {
			pngOf(t, w, 30000, 1, 0, true)
		}, []string{"build", "--target", "linux/amd64", "--format", "tar.gz"}, 2, `icon: "assets/icon.png" is 30000×30000 px, larger than the 2048×2048 px bundle reads`},
		{"a PNG header declaring 30000² RGBA16", "icon.png", func(t *testing.T, w io.Writer) {
			pngOf(t, w, 30000, 16, 6, false)
		}, []string{"build", "--target", "linux/amd64", "--format", "tar.gz"}, 2, `icon: "assets/icon.png" is 30000×30000 px, larger than the 2048×2048 px bundle reads`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := testfs.CopyProject(t, "testdata/project")
			testfs.CopyFile(t, filepath.Join(testfs.RepoRoot(t), "testdata/config/good/full.yaml"), filepath.Join(dir, "bundle.yaml"))
			file := filepath.Join(dir, tt.file)
			if tt.file == "icon.png" {
				file = filepath.Join(dir, "assets", "icon.png")
			}
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			tt.make(t, f)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			info, _ := os.Stat(file)
			args := append([]string(nil), tt.args...)
			for i, a := range args {
				if a == "FILE" {
					args[i] = file
				}
			}
			tmp := t.TempDir()
			cmd := exec.Command(bundleBin, args...)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), epoch, "TMPDIR="+tmp)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			peakTemp := watchSize(tmp)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("bundle %s hangs:\n%s", strings.Join(tt.args, " "), out.String())
			}
			took := time.Since(start)
			temp := peakTemp()
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // kB on Linux
			t.Logf("%s (%d kB): exit %d in %v, peak memory %d MB, peak temporary disk %d kB", tt.file, info.Size()>>10, cmd.ProcessState.ExitCode(), took.Round(time.Millisecond), rss>>20, temp>>10)
			if code := cmd.ProcessState.ExitCode(); code != tt.code || !strings.Contains(out.String(), tt.want) {
				t.Errorf("exit %d, want %d and %q:\n%s", code, tt.code, tt.want, out.String())
			}
			if tt.code != 0 && strings.Count(out.String(), "\n") != 1 {
				t.Errorf("not one line:\n%s", out.String())
			}
			if rss > boundMemory {
				t.Errorf("peak memory %d MB, more than %d MB", rss>>20, boundMemory>>20)
			}
			if temp > boundTemp {
				t.Errorf("peak temporary disk %d MB, more than %d MB", temp>>20, boundTemp>>20)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temporary folder: %v", left)
			}
		})
	}
}

// watchSize samples the bytes under dir every few milliseconds until the
// returned function is called, which returns the largest sample.
func watchSize(dir string) func() int64 {
	var mu sync.Mutex
	var peak int64
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			var sum int64
			filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if info, err := d.Info(); err == nil {
						sum += info.Size()
					}
				}
				return nil
			})
			mu.Lock()
			peak = max(peak, sum)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// zeroDeflate is a raw deflate stream of start followed by zeros up to
// size bytes, built from one compressed MiB of zeros repeated: the blocks a
// sync flush ends are whole, so copies of them can follow each other, and
// a huge stream costs a few megabytes and milliseconds to make. It returns
// the stream and the CRC-32 of what it inflates to.
func zeroDeflate(t *testing.T, start []byte, size int64) ([]byte, uint32) {
	t.Helper()
	const chunk = 1 << 20
	block := func(data []byte, final bool) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		w.Write(data)
		if final {
			w.Close()
		} else {
			w.Flush()
		}
		return b.Bytes()
	}
	zeros := make([]byte, chunk)
	first := make([]byte, min(size, chunk))
	copy(first, start)
	var out bytes.Buffer
	out.Write(block(first, false))
	crc := crc32.ChecksumIEEE(first)
	rest := size - int64(len(first))
	middle := block(zeros, false)
	for ; rest >= chunk; rest -= chunk {
		out.Write(middle)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	out.Write(block(zeros[:rest], true))
	crc = crc32.Update(crc, crc32.IEEETable, zeros[:rest])
	return out.Bytes(), crc
}

// appZip writes a zip holding Hello.app with an Info.plist and an
// executable of size bytes: a Mach-O header and zeros.
func appZip(t *testing.T, w io.Writer, size int64) {
	t.Helper()
	zw := zip.NewWriter(w)
	plist, _ := zw.Create("Hello.app/Contents/Info.plist")
	io.WriteString(plist, `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CFBundleExecutable</key><string>hello</string></dict></plist>`)
	head := make([]byte, 32)
	binary.LittleEndian.PutUint32(head, 0xfeedfacf)    // MH_MAGIC_64
	binary.LittleEndian.PutUint32(head[4:], 0x1000007) // CPU_TYPE_X86_64
	data, crc := zeroDeflate(t, head, size)
	raw, err := zw.CreateRaw(&zip.FileHeader{Name: "Hello.app/Contents/MacOS/hello", Method: zip.Deflate, CRC32: crc, CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(size)})
	if err != nil {
		t.Fatal(err)
	}
	raw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// tarGzELF writes a tar.gz whose one file, app_1.0.0_linux_amd64/app, is
// size bytes: start and zeros.
func tarGzELF(t *testing.T, w io.Writer, start []byte, size int64) {
	t.Helper()
	hdr := make([]byte, 512)
	copy(hdr, "app_1.0.0_linux_amd64/app")
	copy(hdr[100:], "0000755\x00")
	copy(hdr[108:], "0000000\x00")
	copy(hdr[116:], "0000000\x00")
	copy(hdr[124:], []byte(strings.Repeat("0", 11-len(octal(size)))+octal(size)+"\x00"))
	copy(hdr[136:], "00000000000\x00")
	hdr[156] = '0'
	copy(hdr[257:], "ustar\x0000")
	copy(hdr[148:], "        ")
	var sum int64
	for _, b := range hdr {
		sum += int64(b)
	}
	copy(hdr[148:], []byte(strings.Repeat("0", 6-len(octal(sum)))+octal(sum)+"\x00 "))
	// The tar: header, the file (a multiple of 512 bytes), two zero blocks.
	data, crc := zeroDeflate(t, append(hdr, start...), 512+size+1024)
	gz := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}
	gz = append(gz, data...)
	gz = binary.LittleEndian.AppendUint32(gz, crc)
	gz = binary.LittleEndian.AppendUint32(gz, uint32(512+size+1024))
	w.Write(gz)
}

func octal(n int64) string { return strconv.FormatInt(n, 8) }

// pngOf writes a PNG of side×side pixels of the given bit depth and color
// type: with rows (all zero) when full, else only its header.
func pngOf(t *testing.T, w io.Writer, side uint32, depth, colorType byte, full bool) {
	t.Helper()
	chunk := func(kind string, data []byte) {
		var b []byte
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		b = append(b, kind...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(kind), data...)))
		w.Write(b)
	}
	w.Write([]byte("\x89PNG\r\n\x1a\n"))
	ihdr := binary.BigEndian.AppendUint32(nil, side)
	ihdr = binary.BigEndian.AppendUint32(ihdr, side)
	chunk("IHDR", append(ihdr, depth, colorType, 0, 0, 0))
	if !full {
		chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
		return
	}
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+(int(side)*int(depth)+7)/8)
	for range side {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
}
