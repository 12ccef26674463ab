package printdocs

import (
	"html/template"
	"time"

	"github.com/juece/juece/db/dossier"
	"github.com/juece/juece/server/web"
)

// pages are the documents' templates, in the look of an official document
// (GB/T 9704): a red issuing organ line, the 文号, a centred title, the
// body, the signature block with the date in Chinese. Styles are inline and
// nothing is loaded: the page is what the browser prints.
var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"cnday": func(t time.Time) string { return t.In(chinaTime).Format("2006年1月2日") },
	"time":  func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") },
	"step":  dossier.StepZH,
	"task":  func(s string) string { return web.LabelZH("task", s) },
	"state": func(s string) string { return web.LabelZH("state", s) },
	"kind":  func(s string) string { return web.LabelZH("kind", s) },
	"action": func(s string) string {
		return web.LabelZH("action", s)
	},
	"docno": func(k string) string {
		return label(map[string]string{"legality_opinion": "合法性审查意见书", "minutes": "会议纪要"}, k)
	},
	"inc": func(i int) int { return i + 1 },
}).Parse(`
{{define "style"}}<style>
@page { size: A4; }
body { font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "WenQuanYi Micro Hei", serif; color: #111; margin: 0; font-size: 15px; line-height: 1.75; }
.organ { color: #c00; font-size: 30px; font-weight: bold; text-align: center; letter-spacing: .12em; margin: 4mm 0 2mm; }
.docno { text-align: center; font-size: 15px; margin: 0 0 1mm; }
.rule { border: 0; border-top: 2px solid #c00; margin: 2mm 0 6mm; }
h1 { font-size: 21px; text-align: center; margin: 0 0 5mm; line-height: 1.5; }
h2 { font-size: 16px; margin: 5mm 0 1mm; }
p { margin: 0 0 2mm; text-indent: 2em; }
p.flat { text-indent: 0; }
.sign { margin: 10mm 0 0 auto; width: 22em; text-align: center; }
.sign div { margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 13px; line-height: 1.5; }
th, td { border: 1px solid #555; padding: 1.5mm 2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-weight: bold; white-space: nowrap; }
tr { break-inside: avoid; }
code { font-family: monospace; font-size: 11px; word-break: break-all; }
code.hash { font-size: 9.5px; }
.muted { color: #555; font-size: 12px; }
ol, ul { margin: 0 0 2mm 2em; padding: 0; }
</style>{{end}}

{{define "legality-opinion"}}{{$o := .Doc}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>合法性审查意见书 — {{.Case.Title}}</title>{{template "style"}}</head><body>
<div class="organ">{{$o.Org}}</div>
<div class="docno">{{$o.Number}}</div>
<hr class="rule">
<h1>关于《{{.Case.Title}}》的<br>合法性审查意见书</h1>
<p class="flat">{{.UnitName}}：</p>
<p>你单位提请审查的《{{.Case.Title}}》（编号 {{.Case.Number}}）收悉。依据《重大行政决策程序暂行条例》第二十五条至第二十八条，本机关对决策草案进行了合法性审查，现将审查意见书面告知如下。</p>
<h2>一、审查结论</h2>
<p>{{$o.Outcome}}。</p>
{{with $o.Heads}}<h2>二、审查事项</h2>
<p>本次审查包括：{{range $i, $h := .}}{{if $i}}、{{end}}{{$h}}{{end}}。</p>{{end}}
<h2>{{if $o.Heads}}三{{else}}二{{end}}、审查意见</h2>
<p>{{$o.Opinion}}</p>
{{with $o.Changes}}<h2>修改要求</h2><ol>{{range .}}<li>{{.}}</li>{{end}}</ol>{{end}}
{{with $o.RiskDisclosure}}<h2>法律风险提示</h2><p>{{.}}</p>{{end}}
{{with $o.NoClearRule}}<h2>国家尚无明确规定的说明</h2><p>{{.}}</p>{{end}}
{{with $o.Advisers}}<h2>附：法律顾问、公职律师意见</h2>
<table><tr><th>出具人</th><th>身份</th><th>日期</th><th>意见</th></tr>
{{range .}}<tr><td>{{.Author}}{{if .Signed}}（已签名）{{end}}</td><td>{{.Role}}</td><td>{{.Date}}</td><td>{{.Opinion}}</td></tr>{{end}}</table>{{end}}
<div class="sign"><div>审查人：{{$o.Reviewer}}</div><div>{{$o.Org}}（盖章）</div><div>{{cnday $o.At}}</div></div>
</body></html>{{end}}

{{define "minutes"}}{{$m := .Doc}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>会议纪要 — {{.Case.Title}}</title>{{template "style"}}</head><body>
<div class="organ">{{$m.Heading}}</div>
<div class="docno">{{$m.Number}}</div>
<hr class="rule">
<h1>关于《{{.Case.Title}}》的会议纪要</h1>
<p>{{$m.Date}}，{{.OrganName}}召开{{$m.MeetingType}}，集体讨论《{{.Case.Title}}》（编号 {{.Case.Number}}，承办单位 {{.UnitName}}）{{if $m.Members}}。应出席组成人员 {{$m.Members}} 人，实到 {{$m.Present}} 人（不含行政首长）{{with $m.PresentNames}}：{{range $i, $n := .}}{{if $i}}、{{end}}{{$n}}{{end}}{{end}}{{end}}{{with $m.Agenda}}。议题：{{.}}{{end}}。会议依据《重大行政决策程序暂行条例》第三十条，纪要如下。</p>
<h2>一、发言情况（按发言顺序，行政首长最后）</h2>
<table><tr><th style="width:3em">序号</th><th style="width:8em">发言人</th><th style="width:9em">表态</th><th>发言要点</th></tr>
{{range $m.Statements}}<tr><td>{{.No}}</td><td>{{.Member}}{{if .IsHead}}（行政首长）{{end}}</td><td>{{.Position}}</td><td>{{.Text}}</td></tr>
{{else}}<tr><td colspan="4">无</td></tr>{{end}}</table>
<h2>二、会议决定</h2>
<p>{{$m.Decision}}{{if $m.Unanimous}}（一致同意）{{end}}。</p>
{{with $m.Divergence}}<p>行政首长与多数人意见不一致的理由：{{.}}</p>{{end}}
{{with $m.Dissent}}<h2>三、不同意见</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with $m.Addenda}}<h2>纪要附注（封存后追加）</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<div class="sign"><div>记录人：{{$m.Recorder}}（{{$m.Org}}）</div><div>{{.OrganName}}</div><div>{{cnday $m.At}}</div></div>
</body></html>{{end}}

{{define "approval"}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>决策审批单 — {{.Case.Title}}</title>{{template "style"}}</head><body>
<h1 style="margin-top:4mm">{{.OrganName}}<br>重大行政决策审批单</h1>
<table>
<tr><th style="width:7em">决策事项</th><td colspan="3">{{.Case.Title}}</td></tr>
<tr><th>编号</th><td>{{.Case.Number}}</td><th style="width:6em">当前环节</th><td>{{state .Case.State}}</td></tr>
<tr><th>决策机关</th><td>{{.OrganName}}</td><th>承办单位</th><td>{{.UnitName}}</td></tr>
<tr><th>发起时间</th><td>{{time .Case.CreatedAt}}</td><th>事项标识</th><td><code>{{.Case.ID}}</code></td></tr>
</table>
<h2>办理过程</h2>
<table><thead><tr><th style="width:2.5em">序号</th><th style="width:8em">环节</th><th style="width:5.5em">办理人</th><th style="width:8em">单位</th><th style="width:6.5em">时间</th><th>意见</th></tr></thead>
{{range .Doc}}<tr><td>{{.No}}</td><td>{{.Step}}</td><td>{{.Actor}}{{with .OnBehalf}}<br><span class="muted">代 {{.}} 办理</span>{{end}}</td><td>{{.Org}}</td><td>{{time .At}}</td><td>{{.Opinion}}</td></tr>
{{end}}</table>
<p class="flat muted">本单由系统依据审计链中已办结的各环节记录生成，办理人、时间与意见均取自审计事件；核验方法见页脚。</p>
</body></html>{{end}}

{{define "catalogue"}}{{$c := .Doc}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>卷内目录 — {{.Case.Title}}</title>{{template "style"}}</head><body>
<h1 style="margin-top:4mm">卷内目录</h1>
<table>
<tr><th style="width:7em">决策事项</th><td colspan="3">{{$c.Case.Title}}</td></tr>
<tr><th>编号</th><td>{{$c.Case.Number}}</td><th style="width:6em">状态</th><td>{{state $c.Case.State}}</td></tr>
<tr><th>决策机关</th><td>{{$c.Case.OrganName}}</td><th>承办单位</th><td>{{$c.Case.UnitName}}</td></tr>
<tr><th>审计链</th><td colspan="3">{{$c.Chain.Events}} 个事件，链头 <code>{{$c.Chain.Head}}</code></td></tr>
</table>
{{with $c.DocumentNumbers}}<h2>文号</h2>
<table><tr><th>文书</th><th>文号</th><th>环节</th></tr>
{{range .}}<tr><td>{{docno .Kind}}</td><td>{{.Number}}</td><td>{{task .Step}}</td></tr>{{end}}</table>{{end}}
<h2>卷内材料</h2>
<table style="table-layout:fixed"><colgroup><col style="width:2.6em"><col><col style="width:3.8em"><col style="width:6em"><col style="width:4.2em"><col style="width:6.8em"><col style="width:13em"></colgroup>
<thead><tr><th>序号</th><th>名称</th><th>类别</th><th>环节</th><th>上传人</th><th>时间</th><th>SHA-256</th></tr></thead>
{{range $c.Documents}}<tr><td>{{.No}}</td><td>{{.Name}}{{if gt .Version 1}}（第{{.Version}}版）{{end}}</td><td>{{kind .Kind}}</td><td>{{task .Step}}</td><td>{{.UploadedByName}}</td><td>{{time .UploadedAt}}</td><td><code class="hash">{{.SHA256}}</code></td></tr>
{{else}}<tr><td colspan="7">无</td></tr>{{end}}</table>
<h2>过程记录（审计事件）</h2>
<table><thead><tr><th style="width:2.5em">序号</th><th style="width:6.5em">时间</th><th>事项</th><th style="width:5em">操作人</th><th style="width:23em">哈希</th></tr></thead>
{{range $c.Events}}<tr><td>{{.Seq}}</td><td>{{time .At}}</td><td>{{action .Action}}</td><td>{{.Actor}}</td><td><code class="hash">{{.Hash}}</code></td></tr>
{{end}}</table>
</body></html>{{end}}
`))
