package db

import (
	"context"
	"encoding/json"
	"fmt"
)

// DemoUser is one seeded demo account with its token.
type DemoUser struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	Org    string `json:"org"`
	Handle string `json:"handle"`
	Token  string `json:"token"`
	// Password and TOTPSecret are the demo user's workbench credentials,
	// set by accounts.DemoCredentials (a TOTP secret for the roles that
	// need a second factor).
	Password   string `json:"password,omitempty"`
	TOTPSecret string `json:"totp_secret,omitempty"`
}

func strp(s string) *string { return &s }

// demoOrgs is a county government in Luoyang (Henan) with the departments that
// act on a case. The county's settings name its review body and general office,
// its short name and the patterns of its case and document numbers
// (db/numbering; a government without them gets the default patterns).
var demoOrgs = []Organisation{
	{ID: "luoyang", Name: "洛阳市人民政府", NameEN: "Luoyang Municipal People's Government", Level: "city", Profile: "luoyang",
		Settings: json.RawMessage(`{"review_body":"luoyang-justice","general_office":"luoyang-office","short_name":"洛阳"}`)},
	{ID: "luoyang-justice", Name: "洛阳市司法局", NameEN: "Luoyang Justice Bureau", ParentID: strp("luoyang"), Level: "department", Profile: "luoyang"},
	{ID: "luoyang-office", Name: "洛阳市人民政府办公室", NameEN: "Luoyang Government General Office", ParentID: strp("luoyang"), Level: "department", Profile: "luoyang"},
	{ID: "yiyang", Name: "宜阳县人民政府", NameEN: "Yiyang County People's Government", ParentID: strp("luoyang"), Level: "county", Profile: "luoyang",
		Settings: json.RawMessage(`{"review_body":"yiyang-justice","general_office":"yiyang-office","short_name":"宜阳",` +
			`"numbering":{"case":"{short}决〔{year}〕{seq}号","legality_opinion":"宜司法审〔{year}〕{seq}号","minutes":"宜政纪〔{year}〕{seq}号"}}`)},
	{ID: "yiyang-nrb", Name: "宜阳县自然资源局", NameEN: "Yiyang County Natural Resources Bureau", ParentID: strp("yiyang"), Level: "department", Profile: "luoyang"},
	{ID: "yiyang-justice", Name: "宜阳县司法局", NameEN: "Yiyang County Justice Bureau", ParentID: strp("yiyang"), Level: "department", Profile: "luoyang"},
	{ID: "yiyang-office", Name: "宜阳县人民政府办公室", NameEN: "Yiyang County Government General Office", ParentID: strp("yiyang"), Level: "department", Profile: "luoyang"},
	{ID: "yiyang-audit", Name: "宜阳县审计局", NameEN: "Yiyang County Audit Bureau", ParentID: strp("yiyang"), Level: "department", Profile: "luoyang"},
}

// demoUsers are the six demo roles of the foundation.
var demoUsers = []DemoUser{
	{Handle: "zhangwei", Name: "张伟", Role: "department_officer", Org: "yiyang-nrb"},
	{Handle: "lina", Name: "李娜", Role: "legality_review_officer", Org: "yiyang-justice"},
	{Handle: "wangfang", Name: "王芳", Role: "legal_advisor", Org: "yiyang-justice"},
	{Handle: "liuyang", Name: "刘洋", Role: "meeting_secretary", Org: "yiyang-office"},
	{Handle: "chenjing", Name: "陈静", Role: "executive_head", Org: "yiyang"},
	{Handle: "zhaomin", Name: "赵敏", Role: "auditor", Org: "yiyang-audit"},
	// The audit administrator (审计管理员): reads the security-event log.
	{Handle: "zhoumin", Name: "周敏", Role: "audit_admin", Org: "yiyang-audit"},
	// Colleagues and heads, for claiming, delegation, transfer and escalation.
	{Handle: "zhouqiang", Name: "周强", Role: "legality_review_officer", Org: "yiyang-justice"},
	{Handle: "wugang", Name: "吴刚", Role: "org_head", Org: "yiyang-justice"},
	{Handle: "zhengli", Name: "郑丽", Role: "org_head", Org: "yiyang-office"},
	{Handle: "suntao", Name: "孙涛", Role: "org_head", Org: "yiyang-nrb"},
	// Two of the three administrators (三员分立, internal/authz); the
	// system administrator is set up with juece users add.
	{Handle: "qianlei", Name: "钱磊", Role: "security_admin", Org: "yiyang"},
}

// SeedDemo creates the demo organisations and users. Existing demo users whose
// token is in keep (handle → token) and still valid keep it; all others get a
// new token. It returns every demo user with a working token.
func (s *Store) SeedDemo(ctx context.Context, keep map[string]string) ([]DemoUser, error) {
	for _, o := range demoOrgs {
		if err := s.UpsertOrganisation(ctx, o); err != nil {
			return nil, err
		}
	}
	out := make([]DemoUser, 0, len(demoUsers))
	for _, d := range demoUsers {
		if tok, ok := keep[d.Handle]; ok {
			if u, err := s.UserByToken(ctx, tok); err == nil && u.Handle == d.Handle {
				d.Token = tok
				out = append(out, d)
				continue
			}
		}
		_, tok, err := s.RotateToken(ctx, d.Handle, d.Name, d.Role, d.Org)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", d.Handle, err)
		}
		d.Token = tok
		out = append(out, d)
	}
	return out, nil
}

// SeedDemoDirectory gives the demo county (宜阳县) a published decision
// directory for 2026, compiled by its general office's meeting secretary and
// published after the county Party committee's consent (R-DIR-01), so that
// cases can be started for its entries. It does nothing when the county
// already has a 2026 directory.
func (s *Store) SeedDemoDirectory(ctx context.Context) error {
	have, err := s.ListDirectories(ctx, DirectoryFilter{OrganID: "yiyang", Year: 2026, AllDrafts: true})
	if err != nil || len(have) > 0 {
		return err
	}
	var secretary User
	if err := s.DB.GetContext(ctx, &secretary, `SELECT * FROM users WHERE handle = 'liuyang'`); err != nil {
		return fmt.Errorf("demo directory: %w", mapErr(err))
	}
	actor := DirectoryEvent{ActorID: secretary.ID, ActorName: secretary.Name, ActorRole: secretary.Role, ActorOrg: secretary.OrgID}
	d, _, err := s.CreateDirectory(ctx, Directory{OrganID: "yiyang", Year: 2026, Title: "宜阳县人民政府2026年度重大行政决策事项目录",
		CreatedBy: secretary.ID}, actor)
	if err != nil {
		return err
	}
	for _, e := range []DirectoryEntry{
		{Title: "宜阳县城区集中供暖价格调整方案", Category: 2, LeadUnit: "yiyang-nrb", PlannedStart: "2026-03-01", PlannedEnd: "2026-12-31",
			ExpectedTracks: json.RawMessage(`["PP","RISK"]`)},
		{Title: "宜阳县城区污水处理PPP项目实施方案", Category: 3, LeadUnit: "yiyang-nrb", PlannedStart: "2026-04-01", PlannedEnd: "2027-03-31",
			ExpectedTracks: json.RawMessage(`["PP","EXP","RISK","FCR"]`)},
	} {
		if _, _, err := s.AddDirectoryEntry(ctx, d.ID, e, actor, nil); err != nil {
			return err
		}
	}
	if _, _, err := s.RecordDirectoryConsent(ctx, d.ID, "宜委办〔2026〕5号", "2026-02-20", actor); err != nil {
		return err
	}
	_, _, err = s.PublishDirectory(ctx, d.ID, "2026-02-25", "https://www.yiyang.gov.cn/zwgk/ml2026.html", actor, nil)
	return err
}
