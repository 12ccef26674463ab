// Package participation holds the consultation tracks that run for weeks as
// child workflows of a case (hearings, expert panels). Deterministic code only;
// imported by workflows and worker.
package participation
