package web

import (
	"encoding/json"
	"testing"
)

// TestPeopleOfATimeline: "on behalf of" names the assignee a delegate acted
// for, from what the timeline itself records: actors, and the people its
// task actions name.
func TestPeopleOfATimeline(t *testing.T) {
	ev := func(actorID, actorName, data string) Event {
		return Event{Actor: EventActor{ID: actorID, Name: actorName}, Data: json.RawMessage(data)}
	}
	names := peopleOf([]Event{
		ev("u-lina", "李娜", `{"action":"claim"}`),
		ev("u-lina", "李娜", `{"action":"transfer","from":{"user_id":"u-lina","name":"李娜"},"to":{"user_id":"u-zhou","name":"周强"}}`),
		ev("u-zhou", "周强", `{"action":"delegate","delegate":{"user_id":"u-chen","name":"陈某"}}`),
		ev("u-lina", "李娜", `{"action":"add_co_reviewer","co_reviewer":{"user_id":"u-wang","name":"王芳"}}`),
		ev("", "", `not json`),
		ev("u-x", "", `{"to":{"user_id":"","name":"无名"}}`),
	})
	for id, want := range map[string]string{"u-lina": "李娜", "u-zhou": "周强", "u-chen": "陈某", "u-wang": "王芳"} {
		if got := names[id]; got != want {
			t.Errorf("%s is named %q, want %q", id, got, want)
		}
	}
	if len(names) != 4 {
		t.Errorf("names = %v, want the four people only", names)
	}
}
