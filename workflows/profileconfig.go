package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// ProfileSet is the profiles in force for new cases: the built-in ones
// (Profiles with ProfilePolicy), overridden or extended by an organ's
// configuration file (LoadProfiles). A case copies its profile's Params,
// policy included, into its input when it starts, so a change here applies
// to new cases only.
type ProfileSet map[string]Params

// BuiltinProfiles is the national, henan and luoyang profiles as shipped.
func BuiltinProfiles() ProfileSet {
	set := ProfileSet{}
	for name := range Profiles {
		set[name] = ProfileParams(name)
	}
	return set
}

// Params returns a copy of a profile's params, national's for an unknown
// profile, so that the caller may change it without touching the set.
func (s ProfileSet) Params(profile string) Params {
	p, ok := s[profile]
	if !ok {
		p = s["national"]
	}
	return p.clone()
}

// Names lists the profiles in order.
func (s ProfileSet) Names() []string { return slices.Sorted(maps.Keys(s)) }

func (p Params) clone() Params {
	p.Warnings = slices.Clone(p.Warnings)
	if p.Policy != nil {
		pol := *p.Policy
		p.Policy = &pol
	}
	return p
}

// LoadProfiles reads a profile configuration file over the built-in
// profiles. The file is JSON:
//
//	{"profiles": {
//	  "luoyang": {"review_sla_working_days": 10, "policy": {"legality_review_working_days": 10}},
//	  "xinan":   {"base": "luoyang", "warnings": [{"task_type": "legality_review", "yellow_working_days": 2}]}
//	}}
//
// Each profile starts from "base" (default: the built-in profile of the same
// name, or national for a new name) and takes the fields it names; a
// "warnings" list replaces the base's. Unknown fields, unknown task types
// and policies below the statutory floors (rules.Policy.Validate) are
// errors naming the profile and field, so a typo never silently falls back
// to a default.
func LoadProfiles(r io.Reader) (ProfileSet, error) {
	set := BuiltinProfiles()
	var file struct {
		Profiles map[string]json.RawMessage `json:"profiles"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	if len(file.Profiles) == 0 {
		return nil, errors.New(`profiles: the file names no profile (want {"profiles": {"name": {...}}})`)
	}
	// Profiles based on another profile of the file are read after it.
	pending := slices.Sorted(maps.Keys(file.Profiles))
	for len(pending) > 0 {
		var next []string
		for _, name := range pending {
			var head struct {
				Base string `json:"base"`
			}
			if err := json.Unmarshal(file.Profiles[name], &head); err != nil {
				return nil, fmt.Errorf("profile %q: %w", name, err)
			}
			if head.Base != "" && head.Base != name && slices.Contains(pending, head.Base) {
				next = append(next, name)
				continue
			}
			p, err := readProfile(set, name, head.Base, file.Profiles[name])
			if err != nil {
				return nil, err
			}
			set[name] = p
		}
		if len(next) == len(pending) {
			return nil, fmt.Errorf("profiles %s: their bases form a cycle", strings.Join(next, ", "))
		}
		pending = next
	}
	return set, nil
}

func readProfile(set ProfileSet, name, base string, raw json.RawMessage) (Params, error) {
	if strings.TrimSpace(name) == "" {
		return Params{}, errors.New("profiles: a profile has an empty name")
	}
	if base == "" {
		base = name
	}
	start, ok := set[base]
	if !ok {
		if base != name {
			return Params{}, fmt.Errorf("profile %q: base %q is not a profile", name, base)
		}
		start = set["national"]
	}
	entry := struct {
		Base string `json:"base"`
		Params
	}{Params: start.clone()}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entry); err != nil {
		return Params{}, fmt.Errorf("profile %q: %w", name, err)
	}
	if err := entry.Params.Validate(); err != nil {
		return Params{}, fmt.Errorf("profile %q: %w", name, err)
	}
	return entry.Params, nil
}

// Validate checks a profile's params: the rule policy against the statutory
// floors, non-negative service levels, and warnings for task types that
// exist.
func (p Params) Validate() error {
	var errs []error
	if p.ReviewSLAWorkingDays < 0 {
		errs = append(errs, fmt.Errorf("review_sla_working_days = %d must not be negative", p.ReviewSLAWorkingDays))
	}
	if p.PublicationSLAWorkingDays < 0 {
		errs = append(errs, fmt.Errorf("publication_sla_working_days = %d must not be negative", p.PublicationSLAWorkingDays))
	}
	seen := map[string]bool{}
	for _, w := range p.Warnings {
		switch {
		case FormFor(w.TaskType) == nil:
			errs = append(errs, fmt.Errorf("warnings: task_type %q is not a task type", w.TaskType))
		case seen[w.TaskType]:
			errs = append(errs, fmt.Errorf("warnings: task_type %q is listed twice", w.TaskType))
		case w.YellowWorkingDays <= 0:
			errs = append(errs, fmt.Errorf("warnings: yellow_working_days of %q must be positive", w.TaskType))
		}
		seen[w.TaskType] = true
	}
	if p.Policy == nil {
		errs = append(errs, errors.New("policy is missing"))
	} else if err := p.Policy.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("policy: %w", err))
	}
	return errors.Join(errs...)
}
