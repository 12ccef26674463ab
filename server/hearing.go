package server

// registerHearingLinks sets the pages and acts of the hearing participants'
// links (delivery confirmation, signature of the record).
func (s *Server) registerHearingLinks() {}

// hearingOps documents the hearing's routes.
var hearingOps = []apiOp{}
