// Package suite names a deployment's cryptographic suite — sha256 (SHA-256
// chains, AES-256-GCM for personal data) or sm3 (国密: SM3 chains, SM2
// checkpoint signatures, SM4-GCM) — and does its hashing, signing and
// sealing; db, its subpackages and the commands import it, it imports
// nothing of ours.
package suite

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
)

// Name is a suite. It is chosen at installation (JUECE_CRYPTO_SUITE), kept
// in PostgreSQL's deployment_settings and recorded in every case row and
// checkpoint, so a verifier uses the recorded one, never the config.
type Name string

// The suites.
const (
	// SHA256 is the default: today's chains, byte for byte.
	SHA256 Name = "sha256"
	// SM3 is the national suite (GB/T 32905 SM3, GB/T 32918 SM2, GB/T 32907 SM4).
	SM3 Name = "sm3"
)

// Parse reads a suite's name; "" is SHA256.
func Parse(s string) (Name, error) {
	switch Name(s) {
	case "", SHA256:
		return SHA256, nil
	case SM3:
		return SM3, nil
	}
	return "", fmt.Errorf("unknown crypto suite %q: want sha256 or sm3", s)
}

// Known reports whether n is a suite (a recorded "" counts as sha256: rows
// written before suites were recorded).
func (n Name) Known() bool { return n == "" || n == SHA256 || n == SM3 }

// New returns the suite's hash; "" and unknown names hash with SHA-256
// (Known tells a verifier to refuse an unknown name first).
func (n Name) New() hash.Hash {
	if n == SM3 {
		return sm3.New()
	}
	return sha256.New()
}

// Sum is the hex digest of b.
func (n Name) Sum(b []byte) string {
	h := n.New()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// SealAlg names the AEAD that seals personal data under this suite.
func (n Name) SealAlg() string {
	if n == SM3 {
		return "sm4-gcm"
	}
	return "aes-256-gcm"
}

// SigAlg names the signature algorithm checkpoints take under this suite.
func (n Name) SigAlg() string {
	if n == SM3 {
		return SigSM2
	}
	return SigEd25519
}

// Signature algorithms of checkpoints.
const (
	SigSM2     = "sm2"     // SM2 with SM3 and the default user id (GB/T 32918.2, GM/T 0009)
	SigEd25519 = "ed25519" // RFC 8032
)

// Signer signs checkpoints with a private key read from a PEM file.
type Signer struct {
	alg  string
	pub  string // PEM "PUBLIC KEY"
	sign func(msg []byte) ([]byte, error)
}

// Alg is the signature algorithm.
func (s *Signer) Alg() string { return s.alg }

// PublicKey is the PEM of the public key, what a verifier needs.
func (s *Signer) PublicKey() string { return s.pub }

// Sign signs msg.
func (s *Signer) Sign(msg []byte) ([]byte, error) { return s.sign(msg) }

// LoadSigner reads a PKCS#8 PEM private key (SM2 or Ed25519) from path.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	s, err := ParseSigner(b)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, nil
}

// ParseSigner reads a PKCS#8 PEM private key (SM2 or Ed25519).
func ParseSigner(pemBytes []byte) (*Signer, error) {
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM PRIVATE KEY (PKCS#8)")
	}
	k, err := smx509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	var s Signer
	var pub crypto.PublicKey
	switch k := k.(type) {
	case *sm2.PrivateKey:
		s.alg, pub = SigSM2, &k.PublicKey
		s.sign = func(msg []byte) ([]byte, error) { return k.SignWithSM2(rand.Reader, nil, msg) }
	case ed25519.PrivateKey:
		s.alg, pub = SigEd25519, k.Public()
		s.sign = func(msg []byte) ([]byte, error) { return ed25519.Sign(k, msg), nil }
	default:
		return nil, fmt.Errorf("unsupported key type %T: want SM2 or Ed25519", k)
	}
	der, err := smx509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	s.pub = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return &s, nil
}

// GenerateKey returns a new private key of alg (SigSM2 or SigEd25519) as
// PKCS#8 PEM: what `juece keys gen-sm2` writes.
func GenerateKey(alg string) ([]byte, error) {
	var k any
	var err error
	switch alg {
	case SigSM2:
		k, err = sm2.GenerateKey(rand.Reader)
	case SigEd25519:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("unknown signature algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	der, err := smx509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Verify checks sig over msg with the PEM public key of alg.
func Verify(alg, publicPEM string, msg, sig []byte) error {
	blk, _ := pem.Decode([]byte(publicPEM))
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return errors.New("公钥不是 PEM PUBLIC KEY / the public key is not a PEM PUBLIC KEY")
	}
	k, err := smx509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("公钥无法解析 / the public key cannot be parsed: %w", err)
	}
	ok := false
	switch alg {
	case SigSM2:
		pk, isEC := k.(*ecdsa.PublicKey)
		if !isEC || !sm2.IsSM2PublicKey(pk) {
			return errors.New("公钥不是 SM2 公钥 / the public key is not an SM2 key")
		}
		ok = sm2.VerifyASN1WithSM2(pk, nil, msg, sig)
	case SigEd25519:
		pk, isEd := k.(ed25519.PublicKey)
		if !isEd {
			return errors.New("公钥不是 Ed25519 公钥 / the public key is not an Ed25519 key")
		}
		ok = ed25519.Verify(pk, msg, sig)
	default:
		return fmt.Errorf("未知签名算法 %q / unknown signature algorithm %q", alg, alg)
	}
	if !ok {
		return errors.New("签名无效 / the signature does not verify")
	}
	return nil
}

// KeyID is the short fingerprint of a PEM public key (or of a sealing key's
// bytes): the first 8 bytes of its SHA-256, hex. An auditor compares it with
// the one the deployment published.
func KeyID(b []byte) string {
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// Sealer encrypts personal data at rest with the suite's AEAD. A sealed value
// is "v1:" + alg + ":" + key id + ":" + hex(nonce || ciphertext): the key id
// beside the ciphertext says which key opens it after a key change.
type Sealer struct {
	alg  string
	id   string
	aead cipher.AEAD
	mac  []byte // the digest key, derived from the data key
	hash func() hash.Hash
}

// NewSealer makes the sealer of suite n with a 32-byte key (SM4 uses its
// first 16 bytes).
func NewSealer(n Name, key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("data key: want 32 bytes, have %d", len(key))
	}
	var blk cipher.Block
	var err error
	if n == SM3 {
		blk, err = sm4.NewCipher(key[:16])
	} else {
		blk, err = aes.NewCipher(key)
	}
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	sl := &Sealer{alg: n.SealAlg(), id: KeyID(key), aead: aead, hash: n.New}
	m := hmac.New(n.New, key)
	m.Write([]byte("juece digest key"))
	sl.mac = m.Sum(nil)
	return sl, nil
}

// Digest is a keyed digest of v (HMAC-SM3 or HMAC-SHA-256 under a key
// derived from the data key): equal values have equal digests, so a sealed
// column can still be kept unique, and nobody without the key can test a
// guess.
func (s *Sealer) Digest(v string) string {
	m := hmac.New(s.hash, s.mac)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// LoadSealer reads a data key file (64 hex digits, as `juece keys gen-data`
// writes) and makes the sealer of suite n.
func LoadSealer(n Name, path string) (*Sealer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("data key %s: want 64 hex digits (32 bytes)", path)
	}
	return NewSealer(n, key)
}

// GenerateDataKey returns a new data key in the form LoadSealer reads.
func GenerateDataKey() ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(key) + "\n"), nil
}

// KeyID names the sealer's key.
func (s *Sealer) KeyID() string { return s.id }

// sealPrefix starts every sealed value; plaintext never does in practice
// (contacts are phone numbers and addresses), and Open passes other text
// through unchanged, so rows written before sealing still read.
const sealPrefix = "v1:"

// Seal encrypts plaintext; "" stays "" (nothing to hide). aad binds the
// ciphertext to its row (e.g. the comment id), so it cannot be moved.
func (s *Sealer) Seal(plaintext, aad string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return sealPrefix + s.alg + ":" + s.id + ":" + hex.EncodeToString(ct), nil
}

// IsSealed reports whether v is a sealed value.
func IsSealed(v string) bool { return len(v) > len(sealPrefix) && v[:len(sealPrefix)] == sealPrefix }

// Open decrypts what Seal returned; a value that is not sealed is returned as
// it is (rows from before sealing).
func (s *Sealer) Open(v, aad string) (string, error) {
	if !IsSealed(v) {
		return v, nil
	}
	parts := strings.SplitN(v[len(sealPrefix):], ":", 3)
	if len(parts) != 3 {
		return "", errors.New("sealed value is damaged")
	}
	alg, id, body := parts[0], parts[1], parts[2]
	if alg != s.alg || id != s.id {
		return "", fmt.Errorf("sealed with %s key %s, this deployment's key is %s %s", alg, id, s.alg, s.id)
	}
	ct, err := hex.DecodeString(body)
	if err != nil || len(ct) < s.aead.NonceSize() {
		return "", errors.New("sealed value is damaged")
	}
	pt, err := s.aead.Open(nil, ct[:s.aead.NonceSize()], ct[s.aead.NonceSize():], []byte(aad))
	if err != nil {
		return "", errors.New("sealed value does not open: altered, or another key")
	}
	return string(pt), nil
}
