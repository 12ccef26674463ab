package server

import (
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"
)

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>决策 Juece — 重大行政决策程序引擎</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.6}code{background:#f3f3f3;padding:0 .25rem}</style>
</head><body>
<h1>决策 Juece</h1>
<p>重大行政决策程序引擎：依《重大行政决策程序暂行条例》推进每一项决策，拒绝违法步骤并引用条文，按工作日计算期限，保留可验证的全过程记录。</p>
<p lang="en">Juece carries major administrative decisions through the procedure the law mandates, refuses illegal steps citing the article, and keeps a tamper-evident record.</p>
<ul>
<li><a href="/api/openapi.json">API 文档 (OpenAPI)</a></li>
<li><a href="/readyz">运行状态 /readyz</a></li>
{{if .TemporalUI}}<li><a href="{{.TemporalUI}}">Temporal Web UI（流程历史）</a></li>{{end}}
</ul>
<p>演示账号令牌见 <code>.data/demo-users.json</code>；接口调用示例见 README。</p>
</body></html>`))

func (s *Server) home(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(http.StatusOK)
	return homePage.Execute(c.Response(), map[string]string{"TemporalUI": s.cfg.TemporalUIURL})
}
