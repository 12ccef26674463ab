package server

import "github.com/labstack/echo/v4"

// routes lists the whole HTTP API. Keep openapi.go in step with it.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.openapi)
	if s.cfg.MetricsRoute && s.cfg.Metrics != nil {
		// Prometheus scrapes without a token: serve it on an internal
		// listener, or keep the path from the public side (docs/deploy.md).
		e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()))
	}
	// Public comments need no token (Art. 15: anyone may comment); each
	// answers a challenge once, limited per client address in PostgreSQL
	// (public_comments.go, server/public/guard.go).
	e.POST("/api/v1/cases/:id/comments", s.postPublicComment)
	e.GET("/api/v1/cases/:id/comments/challenge", s.commentChallenge)
	// Personal links: the token is the credential of a person without an
	// account (server/personal); each purpose's page and act is registered
	// by the track it belongs to.
	s.registerLinkPurposes()
	s.personal.Mount(e)

	// The citizens' portal at /public/ (server/public): no login.
	s.portal.Mount(e)

	// The access log sees every failed authentication (before authenticate)
	// and a user's first request each hour (after it): access.go.
	access := newAccessLog(s.store, s.log)
	s.mountWeb(access) // the web workbench at / (webui.go, server/web)
	// authorize consults the authorisation matrix (internal/authz) for the
	// user's role on the route before any handler.
	api := e.Group("/api/v1", access.failures, s.authenticate, access.logins, s.authorize)
	api.GET("/me", s.me)
	api.GET("/users", s.listUsers)
	// 三员分立 (authz.go): the system administrator keeps accounts, the
	// security administrator roles, lockouts and tokens.
	api.POST("/users", s.addUser)
	api.POST("/users/:handle/disable", s.disableUser)
	api.POST("/users/:handle/role", s.setUserRole)
	api.POST("/users/:handle/unlock", s.unlockUser)
	api.POST("/users/:handle/tokens/revoke", s.revokeUserTokens)
	api.GET("/rules", s.listRules)
	api.GET("/profiles", s.listProfiles)
	api.GET("/cases", s.listCases)
	api.POST("/cases", s.createCase)
	api.GET("/cases/:id", s.getCase)
	api.GET("/cases/:id/timeline", s.timeline)
	api.GET("/cases/:id/verify", s.verify)
	api.POST("/cases/:id/documents", s.uploadDocument) // own body limit: hasOwnBodyLimit
	api.GET("/cases/:id/documents", s.listDocuments)
	api.GET("/cases/:id/dossier", s.dossier)
	api.GET("/cases/:id/dossier/completeness", s.dossierCompleteness)
	api.GET("/cases/:id/print", s.printedList)
	api.GET("/cases/:id/print/:doc", s.printed)
	api.GET("/documents/:sha256", s.getDocument)
	api.GET("/tasks", s.listTasks)
	api.GET("/tasks/:id", s.getTask)
	api.POST("/tasks/:id/complete", s.completeTask)
	api.POST("/tasks/:id/actions", s.taskAction)
	api.GET("/tasks/:id/comments", s.taskComments)
	api.GET("/inbox", s.inbox)
	api.GET("/inbox/counts", s.inboxCounts)
	api.GET("/inbox/overdue-by-org", s.overdueByOrg)
	api.GET("/notifications", s.notifications)
	api.POST("/notifications/:id/read", s.readNotification)
	api.GET("/calendar/deadline", s.deadline)
	api.GET("/calendar/years/:year", s.calendarYear)
	api.POST("/calendar/years", s.loadCalendar)
	api.GET("/audit/events", s.auditEvents)
	api.GET("/audit/refusals", s.auditRefusals)
	api.GET("/audit/directory-events", s.auditDirectoryEvents)
	api.GET("/audit/verify", s.auditVerify)
	api.GET("/audit/checkpoints", s.listCheckpoints)
	api.POST("/audit/checkpoints", s.createCheckpoint)
	api.GET("/audit/access", s.auditAccess)
	api.GET("/security/events", s.securityEvents)
	api.GET("/security/events.csv", s.securityEventsCSV)
	api.GET("/audit/admin-actions", s.adminActions)
	api.GET("/audit/crosscheck/:case_id", s.auditCrossCheck)
	api.GET("/cases/:id/comments", s.listPublicComments)
	api.GET("/cases/:id/comments/summary", s.publicCommentSummary)
	api.POST("/cases/:id/comments/:comment_id/disposition", s.disposeComment)
	api.POST("/cases/:id/comments/dispositions", s.disposeTopic)
	api.POST("/cases/:id/comments/:comment_id/hide", s.hideComment)
	api.GET("/cases/:id/comments/ledger", s.commentLedger)
	api.GET("/cases/:id/comments/report", s.adoptionReportPage)
	api.POST("/cases/:id/comments/report", s.makeCommentReport)
	api.GET("/directories", s.listDirectories)
	api.POST("/directories", s.createDirectory)
	api.GET("/directories/:id", s.getDirectory)
	api.GET("/directories/:id/events", s.directoryEvents)
	api.POST("/directories/:id/entries", s.addDirectoryEntry)
	api.GET("/directories/:id/entries/:entry_id", s.getDirectoryEntry)
	api.POST("/directories/:id/entries/:entry_id/exclude", s.excludeEntry)
	api.POST("/directories/:id/consent", s.recordConsent)
	api.POST("/directories/:id/publish", s.publishDirectory)
	api.POST("/directories/:id/adjustments", s.adjustDirectory)
	api.GET("/reports/annual", s.annualReport)
	api.GET("/reports/annual.csv", s.annualReportCSV)
	api.GET("/reports/annual.xlsx", s.annualReportXLSX)
	api.GET("/institutions", s.listInstitutions)
	api.POST("/institutions", s.registerInstitution)
	api.POST("/cases/:id/links/:link_id/revoke", s.revokeLink)
	api.GET("/experts", s.listExperts)
	api.POST("/experts", s.addExpert)
	api.GET("/experts/:id", s.getExpert)
	api.POST("/experts/:id/flags", s.setExpertFlags)
	api.GET("/cases/:id/expert-panel", s.getPanel)
	api.POST("/cases/:id/expert-panel/draws", s.drawExperts)
	api.POST("/cases/:id/expert-panel/members", s.nameExpert)
	api.POST("/cases/:id/expert-panel/links", s.issueExpertLinks)
	api.POST("/cases/:id/expert-panel/opinions", s.postUnitOpinion)
	api.POST("/cases/:id/expert-panel/opinions/:expert_id/disposition", s.disposeOpinion)
	api.POST("/cases/:id/expert-panel/report", s.makeReport)
	api.GET("/tasks/:id/hearing", s.getHearing)
	api.POST("/tasks/:id/hearing/steps", s.postHearingStep)
	api.POST("/tasks/:id/hearing/links", s.postHearingLink)
	api.GET("/tasks/:id/meeting", s.getMeeting)
	api.POST("/tasks/:id/meeting/steps", s.postMeetingStep)
	api.POST("/tasks/:id/proposals", s.postProposal)
	api.POST("/tasks/:id/independence-links", s.postIndependenceLink)
}
