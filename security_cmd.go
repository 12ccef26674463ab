package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/juece/juece/db"
	"github.com/juece/juece/db/security"
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
