package icons

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
)

// cacheVersion changes whenever an encoder's output changes, so files
// cached by an older bundle are not reused.
const cacheVersion = "v1"

// Set makes every icon a build needs from one PNG, each once: in memory
// for the build, and in a cache folder across builds, keyed by the PNG's
// SHA-256 (the encoders are deterministic, so a cached file is exactly what
// would be made again). Scaling a 1024 px icon to ten ICO sizes takes
// about a third of a second; a rebuild should not pay it, nor should each
// of the eight Linux packages of a build for its hicolor PNGs.
type Set struct {
	path     string
	cacheDir string // "" disables the cache on disk

	hash sync.Once // reads the file and its key
	key  string
	err  error

	decode sync.Once // decodes the image, only when something is not cached
	img    image.Image
	imgErr error

	mu   sync.Mutex
	made map[string]*made
}

type made struct {
	once sync.Once
	data []byte
	err  error
}

// NewSet returns the icon set of the PNG at path, caching in cacheDir
// ("" for no cache on disk).
func NewSet(path, cacheDir string) *Set {
	return &Set{path: path, cacheDir: cacheDir, made: map[string]*made{}}
}

// DefaultCacheDir is bundle's icon cache in the user's cache folder, or ""
// when there is none.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "bundle", "icons")
}

// ICO is the multi-size Windows icon (ICOSizes).
func (s *Set) ICO() ([]byte, error) {
	return s.get("ico", func(img image.Image) ([]byte, error) { return ICO(img, ICOSizes) })
}

// ICNS is the macOS icon family.
func (s *Set) ICNS() ([]byte, error) { return s.get("icns", ICNS) }

// PNG is the icon scaled to size×size.
func (s *Set) PNG(size int) ([]byte, error) {
	return s.get(fmt.Sprintf("%d.png", size), func(img image.Image) ([]byte, error) { return PNG(img, size) })
}

func (s *Set) get(kind string, encode func(image.Image) ([]byte, error)) ([]byte, error) {
	s.hash.Do(func() {
		data, err := ReadFile(s.path)
		if err != nil {
			s.err = fmt.Errorf("icons: %w", err)
			return
		}
		sum := sha256.Sum256(data)
		s.key = hex.EncodeToString(sum[:])
	})
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	m, ok := s.made[kind]
	if !ok {
		m = &made{}
		s.made[kind] = m
	}
	s.mu.Unlock()
	m.once.Do(func() {
		cached := ""
		if s.cacheDir != "" {
			cached = filepath.Join(s.cacheDir, s.key+"-"+cacheVersion+"."+kind)
			if data, err := os.ReadFile(cached); err == nil {
				m.data = data
				return
			}
		}
		s.decode.Do(func() { s.img, s.imgErr = Load(s.path) })
		if s.imgErr != nil {
			m.err = s.imgErr
			return
		}
		m.data, m.err = encode(s.img)
		if m.err == nil && cached != "" {
			writeCache(cached, m.data) // best effort: a cache that cannot be written only costs time
		}
	})
	return m.data, m.err
}

// writeCache writes through a temporary name, so a concurrent bundle never
// reads half a file.
func writeCache(path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}
