package server

import "testing"

// TestSplitDetail: the API's "中文 / English" details come with their halves
// (detail_zh, detail_en) for a client that shows one language; a slash inside
// either half stays in it.
func TestSplitDetail(t *testing.T) {
	for _, c := range []struct{ in, zh, en string }{
		{"缺少访问令牌 / missing bearer token", "缺少访问令牌", "missing bearer token"},
		{"文号格式为 宜政〔2026〕1号 / 2 之类 / the number reads like 宜政〔2026〕1号", "文号格式为 宜政〔2026〕1号 / 2 之类", "the number reads like 宜政〔2026〕1号"},
		{"类型 a / b 不可 / types a / b are refused", "类型 a / b 不可", "types a / b are refused"},
		{"只有中文", "只有中文", ""},
		{"method not allowed", "", "method not allowed"},
		{"", "", ""},
	} {
		zh, en := splitDetail(c.in)
		if zh != c.zh || en != c.en {
			t.Errorf("splitDetail(%q) = %q, %q; want %q, %q", c.in, zh, en, c.zh, c.en)
		}
	}
}
