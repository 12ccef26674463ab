package suite

import (
	"strings"
	"testing"
)

func TestSM3KnownAnswer(t *testing.T) {
	// GB/T 32905-2016, example 1.
	if got := SM3.Sum([]byte("abc")); got != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Fatalf("SM3(abc) = %s", got)
	}
	if got := SHA256.Sum([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("SHA-256(abc) = %s", got)
	}
}

func TestSignVerify(t *testing.T) {
	for _, alg := range []string{SigSM2, SigEd25519} {
		k, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSigner(k)
		if err != nil || s.Alg() != alg {
			t.Fatalf("%s: %v", alg, err)
		}
		sig, err := s.Sign([]byte("checkpoint hash"))
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(alg, s.PublicKey(), []byte("checkpoint hash"), sig); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if err := Verify(alg, s.PublicKey(), []byte("checkpoint hasH"), sig); err == nil {
			t.Fatalf("%s: a signature verified over other bytes", alg)
		}
		other, _ := GenerateKey(alg)
		o, _ := ParseSigner(other)
		if err := Verify(alg, o.PublicKey(), []byte("checkpoint hash"), sig); err == nil {
			t.Fatalf("%s: a signature verified with another key", alg)
		}
	}
	sm2, _ := GenerateKey(SigSM2)
	s, _ := ParseSigner(sm2)
	sig, _ := s.Sign([]byte("x"))
	if err := Verify(SigEd25519, s.PublicKey(), []byte("x"), sig); err == nil {
		t.Fatal("an SM2 key verified as Ed25519")
	}
}

func TestSealOpen(t *testing.T) {
	for _, n := range []Name{SHA256, SM3} {
		key := make([]byte, 32)
		key[0] = 7
		sl, err := NewSealer(n, key)
		if err != nil {
			t.Fatal(err)
		}
		v, err := sl.Seal("13800138000", "row-1")
		if err != nil || !strings.HasPrefix(v, "v1:"+n.SealAlg()+":"+sl.KeyID()+":") || strings.Contains(v, "13800138000") {
			t.Fatalf("%s: sealed %q, %v", n, v, err)
		}
		if again, _ := sl.Seal("13800138000", "row-1"); again == v {
			t.Fatalf("%s: two seals of one value are equal", n)
		}
		if got, err := sl.Open(v, "row-1"); err != nil || got != "13800138000" {
			t.Fatalf("%s: open = %q, %v", n, got, err)
		}
		if _, err := sl.Open(v, "row-2"); err == nil {
			t.Fatalf("%s: opened under another row", n)
		}
		if got, err := sl.Open("plain", "row-1"); err != nil || got != "plain" {
			t.Fatalf("%s: plaintext passes through: %q %v", n, got, err)
		}
		key[0] = 8
		other, _ := NewSealer(n, key)
		if _, err := other.Open(v, "row-1"); err == nil || !strings.Contains(err.Error(), sl.KeyID()) {
			t.Fatalf("%s: another key: %v", n, err)
		}
		if sl.Digest("a") != sl.Digest("a") || sl.Digest("a") == other.Digest("a") {
			t.Fatalf("%s: digest not keyed and stable", n)
		}
	}
}
