package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters new password hashes get
// (a stored hash keeps its own, so raising them needs no migration: each
// password is rehashed at its next change).
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is RFC 9106's second recommended option (64 MiB, 3 passes)
// with 4 lanes.
var DefaultArgon2 = Argon2Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 4}

// hashing bounds the argon2id computations running at once in this
// process: each takes its memory (64 MiB by default), so a burst of logins
// waits its turn instead of exhausting the server's memory. It only paces
// work; no result depends on it.
var hashing = make(chan struct{}, max(2, runtime.NumCPU()))

func idKey(pw, salt []byte, p Argon2Params, n uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, n)
}

const (
	saltLen = 16
	keyLen  = 32
	// maxPasswordLen bounds what is hashed: a password, not a document.
	maxPasswordLen = 128
)

// HashPassword returns the PHC string of pw under p:
// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash> (base64 without padding).
func HashPassword(pw string, p Argon2Params) string {
	if p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 {
		p = DefaultArgon2
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	key := idKey([]byte(pw), salt, p, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword says whether pw is the password of the PHC string phc, with
// the parameters phc names. A malformed string is an error, never a match.
func VerifyPassword(pw, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, fmt.Errorf("argon2id version %q", parts[2])
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 || p.MemoryKiB > 4*1024*1024 || p.Time > 100 {
		return false, fmt.Errorf("argon2id parameters %q", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("argon2id salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errors.New("argon2id hash")
	}
	if len(want) > 64 {
		return false, errors.New("argon2id hash too long")
	}
	got := idKey([]byte(pw), salt, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// PasswordPolicy is the password rule of 等保 2.0 level 3 (GB/T 22239-2019
// 8.1.4.1 a: 身份标识具有唯一性，身份鉴别信息具有复杂度要求并定期更换).
type PasswordPolicy struct {
	MinLength  int           // at least 8
	MinClasses int           // of lower case, upper case, digits, others; at least 3
	MaxAge     time.Duration // a password older than this must be changed at login; 0: 90 days; negative: never
	History    int           // none of the last History passwords may be chosen again
}

// DefaultPasswordPolicy: 8 characters of three classes, changed every 90
// days, none of the last 5 again.
var DefaultPasswordPolicy = PasswordPolicy{MinLength: 8, MinClasses: 3, MaxAge: 90 * 24 * time.Hour, History: 5}

// withDefaults raises a policy to the floor: the settings may make it
// stricter, never weaker than level 3 asks.
func (p PasswordPolicy) withDefaults() PasswordPolicy {
	if p.MinLength < 8 {
		p.MinLength = 8
	}
	if p.MinLength > maxPasswordLen {
		p.MinLength = maxPasswordLen
	}
	if p.MinClasses < 3 {
		p.MinClasses = 3
	}
	if p.MinClasses > 4 {
		p.MinClasses = 4
	}
	if p.History <= 0 {
		p.History = DefaultPasswordPolicy.History
	}
	if p.MaxAge == 0 {
		p.MaxAge = DefaultPasswordPolicy.MaxAge
	}
	return p
}

// PolicyError is a password the policy refuses: a stable code and the
// reason in both languages.
type PolicyError struct {
	Code   string // password_too_short, password_too_long, password_classes, password_handle, password_reused, password_mismatch, password_wrong
	ZH, EN string
}

func (e *PolicyError) Error() string { return e.ZH + " / " + e.EN }

// Check says why pw does not satisfy the policy for the user handle, or nil.
func (p PasswordPolicy) Check(pw, handle string) error {
	p = p.withDefaults()
	n := utf8.RuneCountInString(pw)
	if n < p.MinLength {
		return &PolicyError{Code: "password_too_short",
			ZH: fmt.Sprintf("密码至少 %d 个字符", p.MinLength), EN: fmt.Sprintf("the password needs at least %d characters", p.MinLength)}
	}
	if n > maxPasswordLen || !utf8.ValidString(pw) {
		return &PolicyError{Code: "password_too_long",
			ZH: fmt.Sprintf("密码至多 %d 个字符", maxPasswordLen), EN: fmt.Sprintf("the password may have at most %d characters", maxPasswordLen)}
	}
	if c := classes(pw); c < p.MinClasses {
		return &PolicyError{Code: "password_classes",
			ZH: fmt.Sprintf("密码须包含小写字母、大写字母、数字、其他字符中的至少 %d 类", p.MinClasses),
			EN: fmt.Sprintf("the password needs at least %d of: lower case, upper case, digits, other characters", p.MinClasses)}
	}
	if handle != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(handle)) {
		return &PolicyError{Code: "password_handle", ZH: "密码不得包含用户名", EN: "the password may not contain the user name"}
	}
	return nil
}

func classes(pw string) int {
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case r < 128 && unicode.IsLower(r):
			lower = 1
		case r < 128 && unicode.IsUpper(r):
			upper = 1
		case r < 128 && unicode.IsDigit(r):
			digit = 1
		case unicode.IsControl(r) || unicode.IsSpace(r) && r != ' ':
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// GeneratePassword makes an initial password an administrator hands over:
// 16 characters of all four classes, without look-alikes (0/O, 1/l/I).
func GeneratePassword() string {
	sets := []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!#%+-=?@_"}
	all := strings.Join(sets, "")
	pick := func(s string) byte {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(s))))
		if err != nil {
			panic(err)
		}
		return s[i.Int64()]
	}
	for {
		b := make([]byte, 16)
		for i := range b {
			b[i] = pick(all)
		}
		if classes(string(b)) == 4 {
			return string(b)
		}
	}
}
