package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/juece/juece/db/suite"
	"github.com/juece/juece/server"
)

// TestHearingContactSealedOverHTTP: with a data key, an applicant's
// contact sent through the portal is ciphertext in PostgreSQL, the
// undertaking unit reads it in plaintext over the API, others not at all.
func TestHearingContactSealedOverHTTP(t *testing.T) {
	h := newHearingStack(t)
	key := make([]byte, 32)
	key[5] = 42
	sl, err := suite.NewSealer(suite.SHA256, key)
	if err != nil {
		t.Fatal(err)
	}
	h.store.Sealer = sl
	h.serveWith(server.Config{}) // restarted with the data key
	caseID, taskID := h.hearingCase("宜阳县城区集中供暖价格调整（听证，联系方式加密）")
	h.step(taskID, map[string]any{"step": "decide", "trigger": "vital_interests", "organiser": "宜阳县自然资源局"}, 200)
	draft := h.file(caseID, "draft", "草案")
	h.step(taskID, map[string]any{"step": "notice", "hearing_date": day(20), "start_time": "09:30", "place": "宜阳县政务服务中心三楼会议室",
		"draft_sha256": draft, "explanation": "调整城区集中供暖价格，听取居民、企业意见。", "registration_closes": day(0), "sides": sides}, 200)
	const phone = "13912345678"
	if code, page := h.register(taskID, url.Values{"name": {"报名人甲"}, "contact": {phone}, "side": {sides[0]}, "interest": {"城区供暖用户"}}, "10.1.0.1"); code != 201 {
		t.Fatalf("registration: %d %s", code, page)
	}
	if code, _ := h.register(taskID, url.Values{"name": {"报名人甲"}, "contact": {phone}, "side": {sides[1]}}, "10.1.0.2"); code != 409 {
		t.Fatalf("the same contact again: %d, want 409", code)
	}
	var stored []string
	if err := h.store.DB.SelectContext(context.Background(), &stored, `SELECT contact FROM hearing_registrations WHERE task_id = $1`, taskID); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || !strings.HasPrefix(stored[0], "v1:aes-256-gcm:"+sl.KeyID()+":") || strings.Contains(stored[0], "1391234") {
		t.Fatalf("stored contacts %q: want one AES-256-GCM ciphertext", stored)
	}
	v := h.hearingOf(taskID)
	if len(v.Registrations) != 1 || v.Registrations[0].Contact != phone {
		t.Fatalf("the unit's view: %+v, want the contact in plaintext", v.Registrations)
	}
	var other hearingView
	if code := h.do("auditor", "GET", "/api/v1/tasks/"+taskID+"/hearing", nil, &other); code != 200 {
		t.Fatalf("auditor: %d", code)
	} else {
		if len(other.Registrations) != 1 || other.Registrations[0].Contact != "" {
			t.Fatalf("the auditor's view: %+v, want no contact", other.Registrations)
		}
	}
}
