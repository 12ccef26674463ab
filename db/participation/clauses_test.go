package participation

import (
	"reflect"
	"testing"
)

func TestSplitClauses(t *testing.T) {
	draft := "宜阳县城区集中供暖价格管理办法（征求意见稿）\r\n\r\n第一章　总则\n第一条　为了规范供暖价格，制定本办法。\n第二条 本办法适用于城区。\n本办法所称供暖，是指集中供热。\n第二章 价格\n第三条居民用热价格为每平方米24元。\n\n　　第四条　非居民用热价格另行制定。\n第十二条之一　附则。\n"
	got := SplitClauses(draft)
	want := Draft{Preamble: "宜阳县城区集中供暖价格管理办法（征求意见稿）", Clauses: []Clause{
		{No: 1, Label: "第一条", Heading: "第一章　总则", Body: "为了规范供暖价格，制定本办法。"},
		{No: 2, Label: "第二条", Heading: "第一章　总则", Body: "本办法适用于城区。\n本办法所称供暖，是指集中供热。"},
		{No: 3, Label: "第三条", Heading: "第二章 价格", Body: "居民用热价格为每平方米24元。"},
		{No: 4, Label: "第四条", Heading: "第二章 价格", Body: "非居民用热价格另行制定。"},
		{No: 5, Label: "第十二条之一", Heading: "第二章 价格", Body: "附则。"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if p := got.Clauses[1].Paragraphs(); len(p) != 2 {
		t.Fatalf("paragraphs of 第二条: %q", p)
	}
	if again := SplitClauses(draft); !reflect.DeepEqual(again, got) {
		t.Fatal("splitting is not deterministic")
	}
}

// A plan without articles is split into its paragraphs (款).
func TestSplitClausesParagraphs(t *testing.T) {
	got := SplitClauses("一、调整居民用热价格。\n\n二、调整非居民用热价格。\n" + string(make([]byte, 0)))
	if len(got.Clauses) != 2 || got.Clauses[0].Label != "第一款" || got.Clauses[1].Label != "第二款" || got.Clauses[1].Body != "二、调整非居民用热价格。" {
		t.Fatalf("got %+v", got)
	}
	if n := chineseNumber(12); n != "十二" {
		t.Fatal(n)
	}
	if n := chineseNumber(40); n != "四十" {
		t.Fatal(n)
	}
	if got := SplitClauses("  \n\n"); len(got.Clauses) != 0 || got.Preamble != "" {
		t.Fatalf("empty draft: %+v", got)
	}
}
