package rules

import "time"

// Task is a task a DUTY rule creates for a role (spec §0.3: "Creates a task
// for a role"). The workflow turns each into a task row; the rules only say
// which are due, for whom and by when.
type Task struct {
	Rule    string    `json:"rule"`
	Type    string    `json:"type"`
	Role    string    `json:"role"`
	Subject string    `json:"subject,omitempty"`
	Due     time.Time `json:"due,omitzero"`
	Overdue bool      `json:"overdue,omitempty"`
}

// Roles of spec §1.2, by their codes.
const (
	RoleDO   = "DO"   // decision organ 决策机关
	RoleHead = "HEAD" // administrative head 行政首长
	RoleGO   = "GO"   // government general office 政府办公室
	RoleUU   = "UU"   // undertaking unit 决策承办单位
	RoleLRD  = "LRD"  // legality review body 负责合法性审查的部门
	RoleEU   = "EU"   // execution unit 决策执行单位
)

func (r Rule) task(typ, role, subject string) Task {
	return Task{Rule: r.ID, Type: typ, Role: role, Subject: subject}
}
