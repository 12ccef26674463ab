package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
	"github.com/juece/juece/server/oidc"
	"github.com/juece/juece/workflows"
)

// securityRetention is JUECE_SECURITY_RETENTION_DAYS, refused below the
// 180 days of 《网络安全法》第二十一条 ("留存相关的网络日志不少于六个月").
func securityRetention(cfg Config) (int, error) {
	v := strings.TrimSpace(cfg.SecurityRetentionDays)
	if v == "" {
		return security.MinRetentionDays, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("JUECE_SECURITY_RETENTION_DAYS: %q is not a number of days", v)
	}
	if n < security.MinRetentionDays {
		return 0, fmt.Errorf("JUECE_SECURITY_RETENTION_DAYS: %d days is below the %d days 《网络安全法》第二十一条 requires (网络日志不少于六个月)", n, security.MinRetentionDays)
	}
	return n, nil
}

// purgeSecurityLog removes the security events past the retention now and
// then daily until ctx ends. Any number of processes may run it: the purge
// is one statement in PostgreSQL and removes only rows past the retention.
func purgeSecurityLog(ctx context.Context, s *db.Store, days int, log *slog.Logger) {
	for {
		n, err := security.Purge(ctx, s.DB, days, "juece serve")
		if err != nil && ctx.Err() == nil {
			log.Error("security log purge", "err", err)
		} else if n > 0 {
			log.Info("security log purged", "rows", n, "retention_days", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}

func runSecurity(ctx context.Context, cfg Config, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "purge" {
		return fmt.Errorf("usage: juece security purge [--by WHO]")
	}
	fs := flag.NewFlagSet("security purge", flag.ContinueOnError)
	by := fs.String("by", "", "who purges (recorded; default: the operating-system user)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	days, err := securityRetention(cfg)
	if err != nil {
		return err
	}
	if *by == "" {
		if u, err := user.Current(); err == nil {
			*by = u.Username
		}
	}
	if err := requireDB(cfg); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := security.Purge(ctx, s.DB, days, "juece security purge: "+*by)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d security events older than %d days removed\n", n, days)
	return nil
}

// oidcConfig is the unified identity platform's settings (Config.OIDC*),
// checked before the server starts.
func oidcConfig(cfg Config) (oidc.Config, error) {
	oc := oidc.Config{Issuer: strings.TrimSpace(cfg.OIDCIssuer), ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: strings.TrimSpace(cfg.OIDCRedirectURL), Claim: strings.TrimSpace(cfg.OIDCClaim), MFA: strings.TrimSpace(cfg.OIDCMFA)}
	for _, sc := range strings.Split(cfg.OIDCScopes, ",") {
		if sc = strings.TrimSpace(sc); sc != "" && sc != "openid" {
			oc.Scopes = append(oc.Scopes, sc)
		}
	}
	if v := strings.TrimSpace(cfg.OIDCCreate); v != "" {
		role, org, ok := strings.Cut(v, ":")
		if !ok || !slices.Contains(workflows.Roles, role) || org == "" {
			return oc, fmt.Errorf("JUECE_OIDC_CREATE: %q is not role:org with a role of %s", v, strings.Join(workflows.Roles, ", "))
		}
		oc.CreateRole, oc.CreateOrg = role, org
	}
	if err := oc.Validate(); err != nil {
		return oc, err
	}
	return oc, nil
}
